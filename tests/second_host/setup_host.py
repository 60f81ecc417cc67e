"""Run inside the second host (``manage.py shell < setup_host.py``).

An editor's hub, a program that follows a one-step journey, two mentors already
approved, an employee who will apply in the browser and a superuser; no Celery
app, so matching runs in the web process.
"""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone
from wagtail.models import Page

from wagtail_mentoring.journeys.models import LearningJourneyPage
from wagtail_mentoring.people.models import EmployeeProfile
from wagtail_mentoring.programs.models import Enrollment, MentoringHubPage, ProgramPage

User = get_user_model()
home = Page.objects.get(depth=2)
hub = home.add_child(instance=MentoringHubPage(title="Mentoring", slug="programs"))
hub.save_revision().publish()
journey = hub.add_child(
    instance=LearningJourneyPage(
        title="First steps",
        slug="first-steps",
        steps=[
            {
                "type": "step",
                "id": "step-hello",
                "value": {
                    "title": "Say hello",
                    "summary": "Introduce yourselves.",
                    "minutes": 15,
                    "audience": "both",
                    "completion": "check",
                    "body": [],
                },
            }
        ],
    )
)
journey.save_revision().publish()
now = timezone.now()
program = hub.add_child(
    instance=ProgramPage(
        title="Bakers Mentoring",
        slug="bakers",
        enrollment_opens_at=now - timedelta(days=1),
        enrollment_closes_at=now + timedelta(days=30),
        journey=journey,
    )
)
program.save_revision().publish()

for name in ("mona", "max"):
    mentor = User.objects.create_user(username=name, password="pw-second-host")
    EmployeeProfile.objects.create(
        user=mentor,
        title="Head baker",
        level=6,
        department="Ovens",
        languages=["en"],
    )
    Enrollment.objects.create(
        user=mentor, program=program, role="mentor", status="approved", capacity=2
    )
User.objects.create_user(username="erin", password="pw-second-host")
User.objects.create_superuser(username="boss", password="pw-second-host")
print("PROGRAM", program.pk, program.url)
