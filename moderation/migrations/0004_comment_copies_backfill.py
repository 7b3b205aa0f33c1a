"""Fill blog.Comment.max_toxicity and stance_label (added by blog 0004) from each scored
comment's Analysis; from now on moderation.services writes them when it scores a comment."""
from django.db import migrations

POSTGRESQL = """
UPDATE blog_comment c
   SET max_toxicity = (SELECT max(s.value::float) FROM jsonb_each_text(a.scores) s),
       stance_label = a.stance_article_label
  FROM moderation_analysis a
 WHERE a.comment_id = c.id
"""
OTHER = """
UPDATE blog_comment
   SET max_toxicity = (SELECT max(CAST(s.value AS REAL)) FROM moderation_analysis a, json_each(a.scores) s
                        WHERE a.comment_id = blog_comment.id),
       stance_label = (SELECT a.stance_article_label FROM moderation_analysis a WHERE a.comment_id = blog_comment.id)
 WHERE id IN (SELECT comment_id FROM moderation_analysis)
"""


def backfill(apps, schema_editor):
    sql = POSTGRESQL if schema_editor.connection.vendor == "postgresql" else OTHER
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [
        ("blog", "0004_comment_moderation_copies"),
        ("moderation", "0003_queue_and_standing"),
    ]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
