"""The privacy app's admin pages. Django's admin autodiscovery imports this package; each
module below registers its models: the ledgers and records (consents, policy versions,
processors, disclosures, complaints, the staff access log), allauth's records of an account
(email addresses, second factors, sessions), cookie opt-in and visit analytics, marketing
campaigns and the privacy manager's console pages; the task queue's own admin is taken out
(``queue``)."""

from privacy.admin import accounts, queue, records
from privacy.console import admin as console_admin
from privacy.cookies import admin as cookies_admin
from privacy.marketing import admin as marketing_admin

__all__ = ["accounts", "console_admin", "cookies_admin", "marketing_admin", "queue", "records"]
