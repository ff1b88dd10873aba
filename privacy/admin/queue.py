"""The task queue stays out of the admin.

django-tasks-db registers its task rows in the admin; staff have no use for them, and every
admin page must have its place in the staff roles and the access matrix. Operators look at the
queue from the server (docs/operations.md). Its admin module is imported here, before
autodiscovery would, so its registration can be taken back.
"""

from django.contrib import admin
from django_tasks_db import admin as tasks_admin
from django_tasks_db.models import DBTaskResult

if admin.site.is_registered(DBTaskResult):
    admin.site.unregister(DBTaskResult)

__all__ = ["tasks_admin"]
