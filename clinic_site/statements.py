"""Queries compiled once per process and run again with other values.

Some pages run the same query on every request with only an id or a position changing, and
Django takes longer to build and compile such a query than the database takes to run it.
A ``Statement`` is the SQL of a queryset built once with stand-in values (``ANY_ID``,
``ANY_MOMENT``, ``ANY_DAY``: no row has them); each use puts the request's values in their
places and converts the rows as Django would (the queryset's own converters: dates, booleans, the
ciphertext of encrypted fields).

Only the values of the stand-ins change between uses: a caller keeps one statement per
shape of its query (which filters it has), e.g. with ``functools.cache`` on a function of
the shape. What a statement reads is never kept, only its SQL.

On PostgreSQL a statement is also prepared on each connection (psycopg binds its values on
the server and keeps the plan): planning these joins costs the server two to three times
as much as running them, and the server shares the machine with the workers. Django's own
queries stay unprepared (its cursors bind on the client); the settings make the server keep
one generic plan for what is prepared (``plan_cache_mode``, ``clinic_site.env``).
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db import NotSupportedError, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.utils import CursorDebugWrapper, CursorWrapper
from django.db.models import QuerySet

# Stand-ins: values no row has, which Django puts among a compiled query's parameters.
ANY_ID = -1_000_000_007
ANY_MOMENT = datetime.datetime(1901, 2, 3, 4, 5, 6, 789_012, tzinfo=datetime.UTC)
ANY_DAY = datetime.date(1901, 3, 4)


def _day(value: datetime.date) -> datetime.date:
    """A moment given for a day counts as its date, as Django's DateField takes it."""
    return value.date() if isinstance(value, datetime.datetime) else value


@dataclass(frozen=True)
class Statement:
    """The SQL of a queryset, its parameters, and where the stand-ins are among them."""

    alias: str
    sql: str
    params: tuple[Any, ...]
    places: tuple[tuple[int, str], ...]  # (index among params, "id", "moment" or "day")
    names: tuple[str, ...]  # the columns of a values() queryset, in order
    converters: tuple[tuple[int, tuple[Any, ...], Any], ...]  # (column, converters, expression)

    @classmethod
    def compile(cls, queryset: QuerySet, alias: str, *,
                expect: tuple[str, ...] = ()) -> Statement:
        """``queryset``, built with stand-ins for the values that change, compiled for the
        database ``alias``. ``places`` is empty when it has no stand-in (it then runs as it
        was built). ``expect``: the stand-ins ("id", "moment", "day") the caller built it with;
        ValueError when one is not found among the parameters, rather than SQL that would
        silently ignore the value given for it.

        Stand-ins are found by value: a queryset holding a user's text must not be compiled
        (on SQLite a moment is a string among the parameters)."""
        connection = connections[alias]
        compiler = queryset.query.get_compiler(alias)
        sql, params = compiler.as_sql()
        stand_ins = {
            "id": ANY_ID,
            "moment": connection.ops.adapt_datetimefield_value(ANY_MOMENT),
            "day": connection.ops.adapt_datefield_value(ANY_DAY),
        }
        places = tuple(
            (index, kind) for index, value in enumerate(params)
            for kind, stand_in in stand_ins.items()
            if type(value) is type(stand_in) and value == stand_in
        )
        missing = set(expect) - {kind for _index, kind in places}
        if missing:
            raise ValueError(f"stand-ins not among the query's parameters: {sorted(missing)}")
        query = queryset.query
        fields = [column[0] for column in compiler.select[0:compiler.col_count]]
        converters = tuple(
            (position, tuple(functions), expression)
            for position, (functions, expression) in compiler.get_converters(fields).items()
        )
        names = (*query.extra_select, *query.values_select, *query.annotation_select)
        return cls(alias=alias, sql=sql, params=tuple(params), places=places, names=names,
                   converters=converters)

    def bind(self, **values: Any) -> list[Any]:
        """The parameters with ``values`` (``id=``, ``moment=``, ``day=``) in the stand-ins'
        places, adapted as Django adapts them."""
        ops = connections[self.alias].ops
        adapt = {"moment": ops.adapt_datetimefield_value,
                 "day": lambda day: ops.adapt_datefield_value(_day(day))}
        bound = list(self.params)
        for index, kind in self.places:
            value = values[kind]
            bound[index] = adapt[kind](value) if kind in adapt else value
        return bound

    def rows(self, **values: Any) -> list[dict[str, Any]]:
        """Run it with ``values``: the rows as ``values()`` would give them. An id beyond
        the database's integers finds nothing, as in a Django lookup."""
        connection = connections[self.alias]
        if "id" in values:
            lowest, highest = connection.ops.integer_field_range("BigIntegerField")
            if not lowest <= values["id"] <= highest:
                return []
        try:
            fetched = self._fetch(connection, values)
        except NotSupportedError as error:
            if not _plans_forgotten(connection, error):
                raise
            fetched = self._fetch(connection, values)
        return [dict(zip(self.names, row, strict=True)) for row in self._converted(fetched)]

    def _fetch(self, connection: BaseDatabaseWrapper, values: dict[str, Any]) -> list[Any]:
        with _cursor(connection) as cursor:
            cursor.execute(self.sql, self.bind(**values))
            return cursor.fetchall()

    def _converted(self, rows: list[tuple[Any, ...]]) -> Iterator[list[Any]]:
        connection = connections[self.alias]
        for row in map(list, rows):
            for position, functions, expression in self.converters:
                value = row[position]
                for function in functions:
                    value = function(value, expression, connection)
                row[position] = value
            yield row


def _cursor(connection: BaseDatabaseWrapper) -> CursorWrapper:
    """A cursor of ``connection`` that prepares what it runs where the database can (on
    PostgreSQL: binding on the server), set up and wrapped as Django sets up and wraps its
    own (time zone of the dates read; errors, query log)."""
    if connection.vendor != "postgresql":
        return connection.cursor()
    from django.db.backends.postgresql.psycopg_any import register_tzloader
    from psycopg.pq import Format

    connection.close_if_health_check_failed()
    connection.ensure_connection()
    with connection.wrap_database_errors:
        connection.validate_thread_sharing()
        raw = _preparing_cursor_class()(connection.connection)
        timestamptz = connection.connection.adapters.types["timestamptz"].oid
        loader = connection.connection.adapters.get_loader(timestamptz, Format.TEXT)
        if connection.timezone != loader.timezone:
            register_tzloader(connection.timezone, raw)
        if connection.queries_logged:
            return _PreparedDebugWrapper(raw, connection)
        return connection.make_cursor(raw)


class _PreparedDebugWrapper(CursorDebugWrapper):
    """Logs a query as Django's debug cursor does, with its SQL composed as a client-side
    cursor would have sent it: psycopg keeps no text of a prepared execution, from which
    Django reads the logged SQL."""

    def execute(self, sql: str, params: Any = None) -> Any:
        with self.debug_sql(self.db.ops.compose_sql(sql, params), params):
            return CursorWrapper.execute(self, sql, params)


def _plans_forgotten(connection: BaseDatabaseWrapper, error: NotSupportedError) -> bool:
    """Whether ``error`` is PostgreSQL refusing a prepared statement because another process
    changed a table it reads ("cached plan must not change result type": a migration while
    the site runs). If so, every statement the connection prepared is forgotten (psycopg
    follows a ``DEALLOCATE ALL``) and the caller runs its statement again. Inside a
    transaction the error stands: the transaction is lost, and its rollback makes psycopg
    forget them all the same."""
    if (connection.vendor != "postgresql" or connection.in_atomic_block
            or getattr(error.__cause__, "sqlstate", None) != "0A000"):
        return False
    with connection.cursor() as cursor:
        cursor.execute("DEALLOCATE ALL")
    return True


@functools.cache
def _preparing_cursor_class() -> type:
    import psycopg  # only when PostgreSQL is in use

    class PreparingCursor(psycopg.Cursor):
        """Binds on the server and prepares every statement on first use."""

        def execute(self, query: Any, params: Any = None, **options: Any) -> Any:
            return super().execute(query, params, prepare=True, **options)

    return PreparingCursor
