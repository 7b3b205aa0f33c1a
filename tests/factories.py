"""factory_boy factories for tests: a valid object by default, override what a test is about."""
import factory
from django.contrib.auth import get_user_model

from blog.models import Article, AuthorProfile, Category, Comment


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"reader{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.django.Password("correct horse battery staple")


class AuthorProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AuthorProfile

    user = factory.SubFactory(UserFactory)
    display_name = factory.LazyAttribute(lambda p: p.user.username.title())
    bio = "Writes about things."


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category
        django_get_or_create = ("slug",)

    name = "News"
    slug = "news"


class ArticleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Article

    title = factory.Sequence(lambda n: f"Cities should ban cars from their centres, part {n}")
    slug = factory.Sequence(lambda n: f"cities-should-ban-cars-{n}")
    author = factory.LazyAttribute(lambda _: AuthorProfileFactory().user)
    category = factory.SubFactory(CategoryFactory)
    body = "First paragraph.\n\nSecond paragraph."


class CommentFactory(factory.django.DjangoModelFactory):
    """A comment stored directly (no enqueue). Use blog.services.comment_create to test posting."""

    class Meta:
        model = Comment
        skip_postgeneration_save = True

    article = factory.SubFactory(ArticleFactory)
    author = factory.SubFactory(UserFactory)
    text = "I agree with this."
    status = Comment.Status.PUBLISHED
    path = ""

    @factory.post_generation
    def fill_path(obj, create, extracted, **kwargs):
        if create and not obj.path:
            own = str(obj.pk).zfill(10)
            obj.path = f"{obj.parent.path}/{own}" if obj.parent else own
            obj.depth = obj.parent.depth + 1 if obj.parent else 0
            obj.save(update_fields=["path", "depth"])
