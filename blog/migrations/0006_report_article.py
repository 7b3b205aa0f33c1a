from django.db import migrations, models
import django.db.models.deletion


class Migration(migrations.Migration):
    """Reports carry their comment's article (see CommentReport.article), backfilled here."""

    dependencies = [
        ("blog", "0005_comment_recent_activity"),
    ]

    operations = [
        migrations.AddField(
            model_name="commentreport",
            name="article",
            field=models.ForeignKey(
                db_index=False, editable=False, null=True, on_delete=django.db.models.deletion.CASCADE,
                related_name="+", to="blog.article",
            ),
        ),
        migrations.RunSQL(
            "UPDATE blog_commentreport SET article_id = "
            "(SELECT article_id FROM blog_comment WHERE blog_comment.id = blog_commentreport.comment_id)",
            reverse_sql=migrations.RunSQL.noop,
        ),
        migrations.AlterField(
            model_name="commentreport",
            name="article",
            field=models.ForeignKey(
                db_index=False, editable=False, on_delete=django.db.models.deletion.CASCADE,
                related_name="+", to="blog.article",
            ),
        ),
        migrations.AddIndex(
            model_name="commentreport",
            index=models.Index(condition=models.Q(("upheld__isnull", True)), fields=["article"], name="report_open_by_article"),
        ),
    ]
