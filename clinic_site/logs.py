"""What every log line carries (time, level, logger, request id) and how it is written.

Production writes one JSON object per line, so a log collector can index the fields without
parsing prose; a developer's terminal gets the same fields as plain text (``LOG_FORMAT``).
Nothing here adds request values to a line: no path, address or user, only the request id,
which links the lines of one request and the ``X-Request-ID`` header of its response.
"""

from __future__ import annotations

import contextvars
import datetime
import json
import logging

# The id of the request being served in this thread or task; "-" outside a request.
request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")


class RequestIdFilter(logging.Filter):
    """Adds ``record.request_id`` for the formatters."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        return True


class OneLineWarningFilter(logging.Filter):
    """Turns a record into one WARNING line without a traceback.

    Django logs an oversized or malformed request (``RequestDataTooBig``, ``TooManyFieldsSent``,
    ``DisallowedHost``, any ``SuspiciousOperation``) at ERROR with its traceback: about 23 lines
    that any visitor can cause at will. The request was refused with a 400; what an operator
    needs is that it happened."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno > logging.WARNING:
            record.levelno = logging.WARNING
            record.levelname = logging.getLevelName(logging.WARNING)
        record.exc_info = None
        record.exc_text = None
        record.stack_info = None
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC, ISO 8601), level, logger, request id, message and,
    for an error, the traceback as one string field."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, object] = {
            "time": datetime.datetime.fromtimestamp(record.created, tz=datetime.UTC)
            .isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "request_id": getattr(record, "request_id", "-"),
            "message": record.getMessage(),
        }
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            line["stack"] = self.formatStack(record.stack_info)
        return json.dumps(line, ensure_ascii=False)
