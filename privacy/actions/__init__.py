"""Actions of ``python manage.py privacy <action>``, one module each.

A module here defines ``ACTION = SomeAction()`` (a subclass of ``privacy.actions.base.Action``);
the command finds it by the module name (underscores become hyphens: ``notify_policy`` is
``privacy notify-policy``). An action is a thin shell over a service: argument parsing,
progress and exit code.
"""
