"""``manage.py create_api_key NAME --scope S [--scope S ...]``: make a key, print it once."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from backend.apikeys import services
from backend.apikeys.models import Scope


class Command(BaseCommand):
    help = "Make an API key for a service of the platform and print it (only this once)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("name", help="Who uses the key, e.g. feed-service.")
        parser.add_argument(
            "--scope",
            action="append",
            required=True,
            choices=Scope.values,
            dest="scopes",
            help="A scope the key may use; repeat for several.",
        )

    def handle(self, *args, name: str, scopes: list[str], **options) -> None:
        try:
            _, key = services.issue_key(name, scopes)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stdout.write(key)
