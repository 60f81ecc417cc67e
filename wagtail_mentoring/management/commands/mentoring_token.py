"""Personal access tokens from the shell: create, list, revoke.

    manage.py mentoring_token create USER --scope api [--days N] [--name NAME]
    manage.py mentoring_token list [USER]
    manage.py mentoring_token revoke PREFIX

``USER`` is the value of the user model's ``USERNAME_FIELD``. ``create`` prints
the token once, as the last line of its output, so scripts can take it with
``tail -n 1``.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from wagtail_mentoring.api import tokens
from wagtail_mentoring.api.models import PersonalAccessToken, TokenScope
from wagtail_mentoring.errors import MentoringError


def _user(value):
    User = get_user_model()
    try:
        return User._default_manager.get_by_natural_key(value)
    except User.DoesNotExist:
        raise CommandError(f"No user {value!r} ({User.USERNAME_FIELD}).") from None


class Command(BaseCommand):
    help = "Create, list or revoke personal access tokens of the mentoring API."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="Create a token; printed once.")
        create.add_argument("user")
        create.add_argument(
            "--scope", choices=TokenScope.values, default=TokenScope.API
        )
        create.add_argument("--days", type=int, default=tokens.DEFAULT_DAYS)
        create.add_argument("--name", default="Created with manage.py")
        listing = sub.add_parser("list", help="List tokens (never their secret).")
        listing.add_argument("user", nargs="?")
        revoke = sub.add_parser("revoke", help="Revoke a token by its prefix.")
        revoke.add_argument("prefix")

    def handle(self, *args, action, **options):
        try:
            getattr(self, action)(**options)
        except MentoringError as error:
            raise CommandError(" ".join(error.messages)) from None

    def create(self, *, user, scope, days, name, **_):
        new = tokens.create_token(_user(user), None, name=name, scope=scope, days=days)
        self.stdout.write(
            f"Created {new.token.scope} token wmt_{new.token.prefix}_… for {user}, "
            f"expires {new.token.expires_at:%Y-%m-%d %H:%M} UTC. It is shown once:"
        )
        self.stdout.write(new.secret)

    def list(self, *, user=None, **_):
        rows = PersonalAccessToken.objects.select_related("user").order_by("pk")
        if user:
            rows = rows.filter(user=_user(user))
        for token in rows:
            state = (
                "revoked"
                if token.revoked_at
                else ("active" if token.is_usable() else "expired")
            )
            used = (
                f"{token.last_used_at:%Y-%m-%d %H:%M}"
                if token.last_used_at
                else "never"
            )
            self.stdout.write(
                f"{token.prefix}\t{token.user.get_username()}\t{token.scope}\t"
                f"{state}\texpires {token.expires_at:%Y-%m-%d}\tlast used {used}\t"
                f"{token.name}"
            )

    def revoke(self, *, prefix, **_):
        prefix = prefix.removeprefix(tokens.PREFIX).split("_")[0]
        token = PersonalAccessToken.objects.filter(prefix=prefix).first()
        if token is None:
            raise CommandError(f"No token with the prefix {prefix!r}.")
        tokens.revoke_token(token, None)
        self.stdout.write(f"Revoked wmt_{prefix}_….")
