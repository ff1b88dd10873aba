from django.conf import settings
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path
from django.utils.functional import lazy
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_page
from django.views.decorators.http import require_safe

from clinic_site import views
from clinic_site.sitemaps import SITEMAPS
from members import urls as member_urls
from privacy.controller import site_for
from privacy.selfservice.urls import PROFILE_EDIT_PATTERNS


def admin_title() -> str:
    """"장성형외과 관리" / "Jang Plastic Surgery administration", in the language of the
    request: the admin's header and window title name the clinic, not Django."""
    clinic = site_for(get_language() or settings.LANGUAGE_CODE)["clinic_name"]
    return _("%(clinic)s administration") % {"clinic": clinic}


admin.site.site_header = admin.site.site_title = lazy(admin_title, str)()

# The member pages and the self-service profile edits share /accounts/profile/ and the
# namespace "members".
member_patterns = ([*member_urls.urlpatterns, *PROFILE_EDIT_PATTERNS], "members")

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include(member_patterns)),
    path("accounts/", include("allauth.urls")),
    path("consultations/", include("consultations.urls")),
    path("reviews/", include("consultations.review_urls")),
    path("privacy/", include("privacy.urls")),
    path("cookies/", include("privacy.cookies.urls")),
    path("admin/", admin.site.urls),
    path("robots.txt", views.robots_txt, name="robots_txt"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("sitemap.xml", require_safe(cache_page(3600)(sitemap)), {"sitemaps": SITEMAPS},
         name="sitemap"),
]

# The site's error pages: 400 with the request (Django's renders without it), 500 from
# settings alone; 403, 404 and allauth's 429 are Django's and allauth's handlers rendering
# the site's templates.
handler400 = "clinic_site.views.bad_request"
handler500 = "clinic_site.views.server_error"
