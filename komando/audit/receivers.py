"""Sign-ins and sign-outs leave audit records. (Django's auth signals are the only hook for logins
made by its own views, the admin and the test client; everything else is audited in actions.)"""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from komando.audit.actions import record_audit


def _user_fields(user) -> dict:
    return {"instance": user} if user is not None else {"object_type": "auth.User"}


@receiver(user_logged_in, dispatch_uid="komando.audit.login")
def audit_login(sender, request, user, **kwargs):
    record_audit(actor=user, channel="ui", action="login", **_user_fields(user))


@receiver(user_logged_out, dispatch_uid="komando.audit.logout")
def audit_logout(sender, request, user, **kwargs):
    record_audit(actor=user, channel="ui", action="logout", **_user_fields(user))


@receiver(user_login_failed, dispatch_uid="komando.audit.login_failed")
def audit_login_failed(sender, credentials, request=None, **kwargs):
    # ``credentials`` has the password already masked by Django; keep only the username.
    username = str(credentials.get("username", ""))[:150]
    record_audit(actor=None, channel="ui", action="login_failed", object_type="auth.User", actor_username=username)
