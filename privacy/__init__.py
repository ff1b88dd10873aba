"""The privacy policy, enforced: one Django app (label ``privacy``) in two layers.

The base layer sits under members and consultations, which build on it; the features sit
above them and may use both. Imports go downward only (the import-linter contract in
pyproject.toml holds it).

Base layer:
    registry.py      every collection item: its fields, purposes, legal basis, consents and
                     retention rule, and where each model's rows about a person are (the
                     system check in checks.py holds every model field to it)
    fields.py        encrypted fields, sealed under each subject's data key
    crypto.py        ciphers and key wrapping; keys.py: data keys, rotation, shredding
    lookup.py        keyed digests for the lookups that need equality, under a key of their
                     own (PRIVACY_LOOKUP_KEY), and the title search digests
    masking.py       masked names, phones and addresses for staff
    access_log.py    the staff access log (an HMAC chain under PRIVACY_ACCESS_LOG_KEY, its
                     head anchored in the retention database); client_ip(), the one reader
                     of the client's address behind trusted proxies
    ledger.py        the consent ledger and the policy version in force
    restrictions.py  processing restricted while a correction is pending
    controller.py    the clinic and its privacy officer, as notices and receipts name them
    outbox.py        mail and text messages on the task queue: sent once, retried, sealed
    text_messages.py the SMS sender and its consent and restriction gate
    josa.py          Korean particles fitted to the word they follow
    errors.py        the one error privacy services raise for bad input
    admin_mixins.py, admin_export.py: masking, reveal and export in every admin page
    models/          the app's models, one module per noun
    routers.py       the separate retention database

From a section of the policy to the code that keeps it:
    1. Collection items ............ registry.py (ITEMS); the sign-up and consultation forms
                                     ask each consent separately (ledger.py records it)
    2. Purposes .................... registry.py (Purpose, CONSENTS); ledger.py
    3. Retention period ............ registry.py (RETENTION_RULES); retention/rules.py and
                                     the members' and consultations' rules beside it
    4. Destruction procedure ....... retention/ (store.py: the separate database;
       and method                   destruction.py: the purge); keys.py (crypto-shredding)
    5. Delegation (processors) ..... processors/ (hand-over by purpose, disclosures);
       and provision                 registry.py (HANDOVER_BASIS); policy/ (drafts when a
                                     processor changes)
    6. Rights of users and ......... selfservice/ (my data, export, correction, withdrawal);
       legal representatives        actions/ (the privacy manager's shell); restrictions.py
    7. Cookies ..................... cookies/
    8. Privacy officer, complaints . complaints/; controller.py
    Revisions and notices .......... policy/ (versions, the policy page, notices); consents/
                                     (re-consent, consent receipts)
    Advertising (Network Act 50) ... marketing/ (campaigns, reminders, confirmations)
    Booking requests ............... bookings/ (the staff admin, notices and reminders; the
                                     requests themselves are in consultations)
    Periodic jobs .................. console/jobs.py (``privacy scheduled <job>``)
    Staff access and oversight ..... access_log.py; admin/; console/ (inventory, breaches,
                                     monthly reports)
"""
