import django.core.validators
from django.db import migrations, models

import members.models
import privacy.crypto
import privacy.fields

CONTEXTS = {"username": "members.member.username", "email": "members.member.email"}


def identities_seal(apps, schema_editor):
    """Seal each member's login ID and email under the member's data key (a member without
    one gets one, as ``DataKeyField`` gives every saved member) and store their keyed digests,
    which log-in, uniqueness and blocks compare."""
    from privacy.lookup import email_digest, login_id_digest

    member_model = apps.get_model("members", "Member")
    key_model = apps.get_model("privacy", "DataKey")
    rows = member_model.objects.values_list("pk", "username", "email", "data_key__wrapped_key")
    for pk, username, email, wrapped_key in rows.iterator():
        changes = {}
        if wrapped_key is None:
            wrapped_key = privacy.crypto.wrap_key(privacy.crypto.new_data_key())
            changes["data_key"] = key_model.objects.create(wrapped_key=wrapped_key)
        material = privacy.crypto.unwrap_key(wrapped_key)
        for field, value in (("username", username), ("email", email)):
            changes[field] = privacy.crypto.seal(material, value, context=CONTEXTS[field]) \
                if value else ""
        member_model.objects.filter(pk=pk).update(
            username_digest=login_id_digest(username or f"#{pk}"),
            email_digest=email_digest(email or ""), **changes,
        )


def identities_open(apps, schema_editor):
    """Back to the login ID and email in clear (a member whose key is gone gets a login ID
    made from its number, as the column must stay unique)."""
    member_model = apps.get_model("members", "Member")
    rows = member_model.objects.values_list("pk", "username", "email", "data_key__wrapped_key")
    for pk, username, email, wrapped_key in rows.iterator():
        if wrapped_key is None:
            member_model.objects.filter(pk=pk).update(username=f"erased{pk}", email="")
            continue
        material = privacy.crypto.unwrap_key(wrapped_key)
        values = {field: privacy.crypto.open_sealed(material, str(value), context=CONTEXTS[field])
                  if value else "" for field, value in (("username", username), ("email", email))}
        member_model.objects.filter(pk=pk).update(**values)


class Migration(migrations.Migration):

    dependencies = [
        ('members', '0008_member_desired_area_sealed'),
        ('privacy', '0008_staff_admin'),
    ]

    operations = [
        migrations.AlterModelManagers(
            name='member',
            managers=[
                ('objects', members.models.MemberManager()),
            ],
        ),
        migrations.AddField(
            model_name='member',
            name='username_digest',
            field=models.CharField(default='', editable=False, max_length=64,
                                   verbose_name='login ID lookup digest'),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name='member',
            name='email_digest',
            field=models.CharField(blank=True, db_index=True, editable=False, max_length=64,
                                   verbose_name='email lookup digest'),
        ),
        migrations.AlterField(
            model_name='member',
            name='username',
            field=privacy.fields.EncryptedTextField(max_length=20, validators=[django.core.validators.RegexValidator(message='A login ID is 4 to 20 characters: lowercase letters, digits and underscores, starting with a letter.', regex='^[a-z][a-z0-9_]{3,19}\\Z')], verbose_name='login ID'),
        ),
        migrations.AlterField(
            model_name='member',
            name='email',
            field=privacy.fields.EncryptedTextField(max_length=254, validators=[django.core.validators.EmailValidator()], verbose_name='email'),
        ),
        migrations.RunPython(identities_seal, identities_open),
        migrations.AlterField(
            model_name='member',
            name='username_digest',
            field=models.CharField(editable=False, max_length=64, unique=True,
                                   verbose_name='login ID lookup digest'),
        ),
    ]
