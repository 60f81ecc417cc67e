"""Run inside a freshly generated host (``manage.py shell < render_check.py``).

Builds a hub and a program as an editor would and renders what employees and
admins see, printing one OK line per check; any failure raises.
"""

from django.contrib.auth import get_user_model
from django.test import Client
from wagtail.models import Page

from wagtail_mentoring.programs.models import MentoringHubPage, ProgramPage

User = get_user_model()
assert "username" not in {f.name for f in User._meta.get_fields()}, "custom user model"
home = Page.objects.get(depth=2)
hub = home.add_child(instance=MentoringHubPage(title="Mentoring", slug="programs"))
program = hub.add_child(
    instance=ProgramPage(title="Engineering Mentoring", slug="engineering")
)
employee = User.objects.create_user(email="erin@acme.test", password="pw")
admin = User.objects.create_superuser(email="admin@acme.test", password="pw")

client = Client()
for url, text in [
    (hub.url, "Engineering Mentoring"),
    (program.url, "Sign in to apply"),
]:
    response = client.get(url)
    assert response.status_code == 200 and text in response.content.decode(), url
    print("OK anonymous", url)
response = client.get("/mentoring/")
assert response.status_code == 302 and "/accounts/login/" in response["Location"]
print("OK login redirect")
client.force_login(employee)
response = client.get(program.url + "apply/")
assert response.status_code == 200 and "Submit application" in response.content.decode()
print("OK apply form")
response = client.get("/mentoring/")
assert response.status_code == 200 and "My mentoring" in response.content.decode()
print("OK my mentoring")
client.force_login(admin)
for url in [
    "/admin/mentoring/applications/",
    "/admin/mentoring/participants/",
    "/admin/",
]:
    response = client.get(url)
    assert response.status_code == 200, url
    print("OK admin", url)
print("ALL OK")
