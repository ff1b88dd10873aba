"""Machinery of the access-control matrix (the table itself is in test_access_matrix.py).

The URL conf is walked whole, through every include (allauth, admin, the apps), so a URL added
anywhere is visited by the matrix; a URL pattern the table does not know fails the test.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from django.contrib import admin
from django.db import models
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.exceptions import Resolver404

ROLES = ("anonymous", "other", "owner", "staff", "superuser")
MEMBER_ROLES = ("other", "owner")

# Statuses are ints; a redirect is written "→<url name>" of where it leads (a login page,
# reauthentication, ...), or "→?" when it leads outside the URL conf.
Outcome = int | str


@dataclass(frozen=True)
class Route:
    """One URL pattern of the site: its key in the table and its full route."""

    key: str
    route: str
    name: str | None
    params: tuple[str, ...]


@dataclass(frozen=True)
class Case:
    """How to visit one URL pattern and what each role must get.

    ``kwargs`` builds the URL's parameters from the world (the owner's objects);
    ``expect`` maps every role to its outcome.
    """

    expect: dict[str, Outcome]
    kwargs: Callable[[Any], dict[str, Any]] | None = None
    label: str = ""
    query: str = ""
    # Visit with a session that has just confirmed the password, so that pages behind
    # allauth's reauthentication are checked for who may see what, not only for the prompt.
    fresh: bool = False

    def __post_init__(self) -> None:
        missing = set(ROLES) - set(self.expect)
        if missing:
            raise ValueError(f"expectation without role(s) {sorted(missing)}")


def expect(
    *, anonymous: Outcome, other: Outcome, owner: Outcome | None = None,
    staff: Outcome, superuser: Outcome | None = None,
) -> dict[str, Outcome]:
    """Expectations by role; ``owner`` defaults to ``other`` and ``superuser`` to ``staff``."""
    return {
        "anonymous": anonymous,
        "other": other,
        "owner": other if owner is None else owner,
        "staff": staff,
        "superuser": staff if superuser is None else superuser,
    }


def everyone(outcome: Outcome) -> dict[str, Outcome]:
    return dict.fromkeys(ROLES, outcome)


_CONVERTER = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<parameter>\w+)>")
_REGEX_GROUP = re.compile(r"\(\?P<(?P<parameter>\w+)>[^)]*\)")


def _params(route: str) -> tuple[str, ...]:
    regex_params = [match.group("parameter") for match in _REGEX_GROUP.finditer(route)]
    converted = _REGEX_GROUP.sub("", route)
    return (*regex_params, *(match.group("parameter") for match in _CONVERTER.finditer(converted)))


def site_routes() -> list[Route]:
    """Every URL pattern of the site, keyed by its name (namespaced) or, unnamed, its route."""

    def walk(patterns: list[Any], prefix: str, namespace: str | None) -> Iterator[Route]:
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                inner = namespace
                if pattern.namespace:
                    inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
                yield from walk(pattern.url_patterns, route, inner)
            elif isinstance(pattern, URLPattern):
                name = pattern.name and (f"{namespace}:{pattern.name}" if namespace
                                         else pattern.name)
                yield Route(key=name or route, route=route, name=name, params=_params(route))

    return list(walk(get_resolver().url_patterns, "", None))


def build_path(route: Route, kwargs: dict[str, Any]) -> str:
    """The path of ``route`` with its parameters filled in, checked to resolve back to it."""
    missing = set(route.params) - set(kwargs)
    if missing:
        raise AssertionError(f"{route.key}: no value for parameter(s) {sorted(missing)}")

    def fill(match: re.Match[str]) -> str:
        return str(kwargs[match.group("parameter")])

    path = _CONVERTER.sub(fill, _REGEX_GROUP.sub(fill, route.route))
    path = "/" + path.replace("^", "").replace("$", "")
    try:
        match = resolve(path)
    except Resolver404:
        raise AssertionError(f"{route.key}: built path {path!r} does not resolve") from None
    if match.route.replace("^", "") != route.route.replace("^", ""):
        raise AssertionError(
            f"{route.key}: built path {path!r} resolves to {match.route!r} instead"
        )
    return path


def outcome_of(response: HttpResponse) -> Outcome:
    if response.status_code in (301, 302, 303, 307, 308):
        target = urlsplit(response["Location"]).path
        try:
            return f"→{resolve(target).view_name}"
        except Resolver404:
            return "→?"
    return response.status_code


# --- The admin: one rule for every ModelAdmin URL --------------------------------------------

ADMIN_MODEL_VIEW = re.compile(r"^admin:(?P<app_model>\w+?)_(?P<view>changelist|add|change|"
                              r"delete|history)$")
ADMIN_MODEL_REDIRECT = re.compile(r"^admin/(?P<app>\w+)/(?P<model>\w+)/<path:object_id>/$")


@dataclass
class AdminModelRule:
    """What every ModelAdmin URL must answer: non-staff are sent to the admin login; staff
    without permissions get 403; a superuser gets what the ModelAdmin itself allows (its
    permission methods are the owners' to test; here they must be honoured)."""

    model_admins: dict[str, admin.ModelAdmin] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for model, model_admin in admin.site._registry.items():
            self.model_admins[f"{model._meta.app_label}_{model._meta.model_name}"] = model_admin

    def case_for(self, route: Route, superuser: Any) -> Case | None:
        named = ADMIN_MODEL_VIEW.match(route.key)
        redirect = ADMIN_MODEL_REDIRECT.match(route.route)
        if named and named.group("app_model") in self.model_admins:
            model_admin = self.model_admins[named.group("app_model")]
            view = named.group("view")
        elif redirect and route.name is None:
            model_admin = self.model_admins[f"{redirect.group('app')}_{redirect.group('model')}"]
            view = "redirect"
        else:
            return None
        request = RequestFactory().get("/admin/")
        request.user = superuser
        allowed = {
            "changelist": model_admin.has_view_or_change_permission(request),
            "history": model_admin.has_view_or_change_permission(request),
            "add": model_admin.has_add_permission(request),
            "change": model_admin.has_view_or_change_permission(request),
            "delete": model_admin.has_delete_permission(request),
            "redirect": True,
        }[view]
        meta = model_admin.model._meta
        change_name = f"admin:{meta.app_label}_{meta.model_name}_change"
        success: Outcome = f"→{change_name}" if view == "redirect" else 200
        denied: Outcome = f"→{change_name}" if view == "redirect" else 403
        return Case(
            expect=expect(anonymous="→admin:login", other="→admin:login", staff=denied,
                          superuser=success if allowed else 403),
            kwargs=(lambda world: {"object_id": world.admin_object(model_admin.model).pk})
            if route.params else None,
            label=f"admin {view}",
        )


def admin_object(model: type[models.Model], makers: dict[type, Callable[[], Any]]) -> Any:
    """An object of ``model`` for its admin pages: an existing one, or one its maker creates.
    A model without a table (``managed = False``: an admin page named after it) has none."""
    if not model._meta.managed:
        return None
    existing = model._default_manager.order_by("pk").first()
    if existing is not None:
        return existing
    if model not in makers:
        raise AssertionError(
            f"the admin registers {model._meta.label} but the access matrix has no object of it: "
            "add a maker for it to admin_object_makers() in tests/security/test_access_matrix.py"
        )
    return makers[model]()
