from django import template

from blog import selectors

register = template.Library()


@register.inclusion_tag("blog/_sidebar.html")
def sidebar():
    return {"recent_comments": selectors.recent_comments(), "star_bloggers": selectors.star_bloggers()}
