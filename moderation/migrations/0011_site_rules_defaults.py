"""Seed the site's default rules (moderation/accountability/site_rules.py DEFAULT_RULES, copied
here so that later edits to the defaults do not rewrite history), version 1 each, and point the
ready-made rejection reasons at none: an admin maps them on the rules' admin page."""
from django.db import migrations

RULES = [{'code': 'respect',
  'title': 'Be respectful',
  'text': 'Disagree with ideas, not people: no insults, name-calling or contempt for other readers or the '
          'author.',
  'category': 'STATEMENT_CATEGORY_CYBER_VIOLENCE',
  'matches': ['toxicity', 'insult', 'severe_toxicity']},
 {'code': 'no-threats',
  'title': 'No threats',
  'text': 'Never threaten or wish harm on anyone, not even as a joke.',
  'category': 'STATEMENT_CATEGORY_VIOLENCE',
  'matches': ['threat']},
 {'code': 'no-hate',
  'title': 'No attacks on who people are',
  'text': 'No attacks on people for their origin, religion, gender, sexuality, disability or any other part '
          'of who they are.',
  'category': 'STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH',
  'matches': ['identity_attack']},
 {'code': 'clean-language',
  'title': 'Keep it clean',
  'text': 'No obscene or sexually explicit language.',
  'category': 'STATEMENT_CATEGORY_OTHER_VIOLATION_TC',
  'matches': ['obscene', 'sexual_explicit']},
 {'code': 'no-spam',
  'title': 'No spam',
  'text': 'No copy-pasted, junk or link-only comments: write for the discussion you are in.',
  'category': 'STATEMENT_CATEGORY_OTHER_VIOLATION_TC',
  'matches': ['repeated_text', 'one_character', 'links_from_new_account']},
 {'code': 'languages',
  'title': 'Languages we can moderate',
  'text': 'Comments in a language our checks do not read wait for a moderator who does.',
  'category': 'STATEMENT_CATEGORY_OTHER_VIOLATION_TC',
  'matches': ['unread_language']},
 {'code': 'review-first',
  'title': 'Some comments are reviewed before they appear',
  'text': 'On some articles, for some accounts, or when our checks fail, a moderator reads a comment before '
          'it is published.',
  'category': 'STATEMENT_CATEGORY_OTHER_VIOLATION_TC',
  'matches': ['premoderation', 'classification_failed']},
 {'code': 'guidelines',
  'title': 'The discussion guidelines',
  'text': 'Comments must stay on topic, civil and lawful; moderators apply these guidelines and say why.',
  'category': 'STATEMENT_CATEGORY_OTHER_VIOLATION_TC',
  'matches': [],
  'fallback': True}]


def seed(apps, schema_editor):
    SiteRule = apps.get_model("moderation", "SiteRule")
    if SiteRule.objects.exists():
        return
    for position, rule in enumerate(RULES):
        SiteRule.objects.create(
            code=rule["code"], version=1, is_current=True, title=rule["title"], text=rule["text"],
            category=rule["category"], matches=rule["matches"], reason_texts=[], is_fallback=rule.get("fallback", False),
            position=position,
        )


class Migration(migrations.Migration):
    dependencies = [("moderation", "0010_accountability")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
