"""``{{ word|josa:"을" }}``: a Korean particle fitted to the word (see ``privacy.josa``)."""

from __future__ import annotations

from django import template

from privacy import josa as particles

register = template.Library()


@register.filter
def josa(word: object, particle: str) -> str:
    """The word followed by the form of ``particle`` its last sound takes ("주소"|josa:"을")."""
    return particles.josa(str(word), particle)
