"""The reader-facing pages. Thin: each view reads through selectors, writes through services."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from core.params import int_param, local_url, undecodable_fields
from core.ratelimit import client_ip, rate_limited

from . import selectors, services
from .forms import CommentForm, RegisterForm, ReportForm
from .models import Article, ArticleLike, Category, Comment


def article_list(request: HttpRequest, category_slug: str | None = None, tag_slug: str | None = None) -> HttpResponse:
    heading = "Latest articles"
    if category_slug:
        heading = f"Category: {get_object_or_404(Category, slug=category_slug).name}"
    elif tag_slug:
        heading = f"Tagged “{tag_slug}”"
    page = Paginator(selectors.article_list(category_slug=category_slug, tag_slug=tag_slug), 10).get_page(
        request.GET.get("page")
    )
    return render(request, "blog/article_list.html", {"page": page, "heading": heading})


def _article_or_404(slug: str) -> Article:
    try:
        return selectors.article_get(slug=slug)
    except Article.DoesNotExist:
        raise Http404("No such article.") from None


def _refuse_undecodable(form, request: HttpRequest) -> None:
    for name in undecodable_fields(request):
        form.add_error(name if name in form.fields else None, "Must be valid UTF-8 text (the form sent invalid bytes).")


def _render_article(request: HttpRequest, article: Article, *, form: CommentForm | None = None, status: int = 200):
    reply_to = int_param(request.GET, "reply_to")
    if reply_to is None and form is not None:
        reply_to = getattr(form, "cleaned_data", {}).get("parent")
    context = {
        "article": article,
        "thread": selectors.comment_thread(article=article, viewer=request.user),
        "form": form or CommentForm(),
        "reply_to": reply_to,
        "liked": request.user.is_authenticated
        and ArticleLike.objects.filter(article=article, user=request.user).exists(),
        "share_url": request.build_absolute_uri(article.get_absolute_url()),
    }
    return render(request, "blog/article_detail.html", context, status=status)


def article_detail(request: HttpRequest, slug: str) -> HttpResponse:
    article = _article_or_404(slug)
    visitor = f"user:{request.user.pk}" if request.user.is_authenticated else f"ip:{client_ip(request)}"
    services.article_register_view(article=article, visitor=visitor)
    return _render_article(request, article)


@login_required
@require_POST
@rate_limited("comments")
def comment_post(request: HttpRequest, slug: str) -> HttpResponse:
    article = _article_or_404(slug)
    form = CommentForm(request.POST)
    _refuse_undecodable(form, request)
    if form.is_valid():
        parent = None
        parent_id = form.cleaned_data.get("parent")
        if parent_id:
            parent = Comment.objects.filter(pk=parent_id).filter(selectors.visible_comments_q(request.user)).first()
            if parent is None:
                form.add_error(None, "The comment you replied to is not available.")
        if not form.errors:
            try:
                comment = services.comment_create(
                    article=article, author=request.user, text=form.cleaned_data["text"], parent=parent
                )
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.info(request, "Thanks! Your comment is awaiting moderation.")
                return redirect(comment.get_absolute_url())
    return _render_article(request, article, form=form, status=400)


@login_required
@require_POST
@rate_limited("likes")
def article_like(request: HttpRequest, slug: str) -> HttpResponse:
    article = get_object_or_404(Article, slug=slug)
    services.article_like(article=article, user=request.user)
    return redirect(article.get_absolute_url() + "#like")


@login_required
@require_POST
@rate_limited("likes")
def comment_like(request: HttpRequest, pk: int) -> HttpResponse:
    comment = _visible_comment_or_404(request, pk)
    try:
        services.comment_like(comment=comment, user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect(comment.get_absolute_url())


def _visible_comment_or_404(request: HttpRequest, pk: int) -> Comment:
    try:
        return selectors.comment_get_visible(pk=pk, viewer=request.user)
    except Comment.DoesNotExist:
        raise Http404("No such comment.") from None


@login_required
@rate_limited("reports")
def comment_report(request: HttpRequest, pk: int) -> HttpResponse:
    comment = _visible_comment_or_404(request, pk)
    form = ReportForm(request.POST or None)
    if request.method == "POST":
        _refuse_undecodable(form, request)
    if request.method == "POST" and form.is_valid():
        try:
            _, created = services.comment_report(comment=comment, reporter=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.info(
                request,
                "Thank you: the moderators will look at this comment."
                if created
                else "You have already reported this comment.",
            )
            return redirect(comment.get_absolute_url())
    status = 400 if request.method == "POST" else 200
    return render(request, "blog/report.html", {"comment": comment, "form": form}, status=status)


@login_required
def my_comments(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.comments_by_author(author=request.user), 25).get_page(request.GET.get("page"))
    return render(request, "blog/my_comments.html", {"page": page})


@rate_limited("register")
def register(request: HttpRequest) -> HttpResponse:
    form = RegisterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.user_register(
                username=form.cleaned_data["username"],
                password=form.cleaned_data["password"],
                email=form.cleaned_data.get("email", ""),
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            login(request, user, backend="core.auth.ModelBackend")
            messages.info(request, f"Welcome, {user.username}! You can comment now.")
            return HttpResponseRedirect(local_url(request, request.GET.get("next"), default=reverse("blog:article_list")))
    return render(request, "registration/register.html", {"form": form}, status=400 if form.errors else 200)
