from django.db import migrations

import privacy.crypto


def _open(sealed, wrapped_key, context):
    return privacy.crypto.open_sealed(privacy.crypto.unwrap_key(wrapped_key), str(sealed),
                                      context=context)


def digests_rekey(apps, schema_editor):
    """Recompute the mobile-number digests and the blocks of existing accounts under
    PRIVACY_LOOKUP_KEY (they were keyed with SECRET_KEY). Values are decrypted here, never
    stored in clear; a block whose account is gone has nothing to recompute from."""
    from privacy.lookup import email_digest, phone_digest

    member_model = apps.get_model("members", "Member")
    block_model = apps.get_model("members", "MemberBlock")
    phones = {}
    rows = member_model.objects.exclude(mobile_phone="").exclude(
        mobile_phone__isnull=True
    ).exclude(data_key__isnull=True).values_list("pk", "mobile_phone", "data_key__wrapped_key")
    for pk, sealed, wrapped_key in rows.iterator():
        phones[pk] = _open(sealed, wrapped_key, "members.member.mobile_phone")
        member_model.objects.filter(pk=pk).update(mobile_phone_digest=phone_digest(phones[pk]))
    for block in block_model.objects.filter(member__isnull=False).select_related("member"):
        block_model.objects.filter(pk=block.pk).update(
            email_hash=email_digest(block.member.email),
            mobile_hash=phone_digest(phones.get(block.member_id, "")),
        )


class Migration(migrations.Migration):

    dependencies = [
        ('members', '0004_staff_admin'),
    ]

    operations = [
        migrations.RunPython(digests_rekey, migrations.RunPython.noop),
    ]
