"""Cookie opt-in (django-cookie-consent) and first-party visit analytics (policy section 7).

django-cookie-consent owns the groups, the consent cookie, the accept/decline processing and the
group cache; this package adds what it lacks: the decision in the consent ledger, the visit
records, the interest cookie and a cache tier that makes the consent check free of queries.
"""
