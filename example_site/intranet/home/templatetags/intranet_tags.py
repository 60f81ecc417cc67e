from django import template
from wagtail.models import Site

register = template.Library()


@register.inclusion_tag("home/includes/menu.html", takes_context=True)
def main_menu(context):
    request = context["request"]
    site = Site.find_for_request(request)
    root = site.root_page if site else None
    items = root.get_children().live().in_menu() if root else []
    return {
        "root": root,
        "items": items,
        "request": request,
        "user": context.get("user"),
    }
