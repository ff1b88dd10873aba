from __future__ import annotations

import datetime

import factory

from privacy.models import Processor


class ProcessorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Processor

    name = factory.Sequence(lambda n: f"Mailer {n} Co., Ltd.")
    tasks_ko = "이메일 발송"
    tasks_en = "sending email"
    items = factory.LazyFunction(lambda: ["email", "name"])
    since = datetime.date(2026, 1, 1)
    requires_consent = False
