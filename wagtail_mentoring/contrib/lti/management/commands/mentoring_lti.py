"""``manage.py mentoring_lti``: register LMSs, print the tool's config, rotate keys."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import URLValidator
from django.db import transaction
from lti_tool.models import LtiDeployment, LtiRegistration

from ...config import tool_configuration
from ...keys import ensure_key, rotate_key


class Command(BaseCommand):
    help = "Register LMS platforms (LTI 1.3) and print what to paste into the LMS."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser("add-platform", help="Register a platform and deployment.")
        add.add_argument("--name", default="")
        add.add_argument("--issuer", required=True)
        add.add_argument("--client-id", required=True)
        add.add_argument("--deployment-id", required=True, action="append")
        add.add_argument("--auth-url", required=True)
        add.add_argument("--token-url", required=True)
        add.add_argument("--keyset-url", required=True)
        add.add_argument("--audience", default="")
        sub.add_parser("show-config", help="Print the tool's URLs and platforms.")
        rotate = sub.add_parser("rotate-key", help="Create a new signing key.")
        rotate.add_argument("--grace-days", type=int, default=None)

    def handle(self, *args, action, **options):
        if action == "add-platform":
            self._add_platform(options)
        elif action == "rotate-key":
            key, retired = rotate_key(grace_days=options["grace_days"])
            self.stdout.write(f"New signing key {key}; {retired} old key(s) retired.")
        else:
            self._print_config(None)
            for registration in LtiRegistration.objects.order_by("name"):
                self.stdout.write("")
                self.stdout.write(f"Platform {registration.name}:")
                self._print_config(registration, urls=False)

    def _add_platform(self, options):
        validate = URLValidator(schemes=["http", "https"])
        for option in ("auth_url", "token_url", "keyset_url"):
            try:
                validate(options[option])
            except ValidationError as error:
                raise CommandError(
                    f"--{option.replace('_', '-')}: not a URL ({options[option]})"
                ) from error
        with transaction.atomic():
            registration, created = LtiRegistration.objects.update_or_create(
                issuer=options["issuer"],
                client_id=options["client_id"],
                defaults={
                    "name": options["name"] or options["issuer"],
                    "auth_url": options["auth_url"],
                    "token_url": options["token_url"],
                    "keyset_url": options["keyset_url"],
                    "audience": options["audience"],
                    "is_active": True,
                },
            )
            for deployment_id in options["deployment_id"]:
                LtiDeployment.objects.update_or_create(
                    registration=registration,
                    deployment_id=deployment_id,
                    defaults={"is_active": True},
                )
            ensure_key()
        verb = "Registered" if created else "Updated"
        self.stdout.write(self.style.SUCCESS(f"{verb} platform {registration.name}."))
        self.stdout.write("Paste these values into the LMS:")
        self._print_config(registration)

    def _print_config(self, registration, urls=True):
        for label, value in tool_configuration(registration).items():
            if urls or label in ("Issuer", "Client ID", "Deployment IDs"):
                self.stdout.write(f"  {label}: {value}")
