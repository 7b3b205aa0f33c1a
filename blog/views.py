"""The reader-facing pages. Thin: each view reads through selectors, writes through services."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from core.params import int_param, local_url, str_param
from core.ratelimit import client_ip, rate_limited, wait_in_words
from moderation import facade as moderation

from . import selectors, services
from .forms import AccountDeleteForm, AppealForm, CommentForm, RegisterForm, ReportForm
from .models import Article, ArticleLike, Category, Comment

# A confirmation shown beside the comment it is about (the page jumps there), not 3,000 px above.
FLASH_SESSION_KEY = "parley_flash"


def _flash_at(request: HttpRequest, comment: Comment, text: str) -> None:
    request.session[FLASH_SESSION_KEY] = {"comment": comment.pk, "text": text}


def article_list(request: HttpRequest, category_slug: str | None = None, tag_slug: str | None = None) -> HttpResponse:
    heading = "Latest articles"
    q = str_param(request.GET, "q", max_length=selectors.SEARCH_MAX_LENGTH)
    if q:
        heading = f"Search: “{q}”"
    if category_slug:
        heading = f"Category: {get_object_or_404(Category, slug=category_slug).name}"
    elif tag_slug:
        heading = f"Tagged “{tag_slug}”"
    page = Paginator(selectors.article_list(category_slug=category_slug, tag_slug=tag_slug, q=q), 10).get_page(
        request.GET.get("page")
    )
    return render(request, "blog/article_list.html", {"page": page, "heading": heading, "q": q})


def _article_or_404(slug: str) -> Article:
    try:
        return selectors.article_get(slug=slug)
    except Article.DoesNotExist:
        raise Http404("No such article.") from None


def _render_article(request: HttpRequest, article: Article, *, form: CommentForm | None = None, status: int = 200):
    reply_to = int_param(request.GET, "reply_to")
    if reply_to is None and form is not None:
        reply_to = getattr(form, "cleaned_data", {}).get("parent")
    thread = selectors.comment_thread(article=article, viewer=request.user)
    user = request.user
    own = [e.comment for e in thread if user.is_authenticated and e.comment.author_id == user.pk]
    context = {
        "article": article,
        "thread": thread,
        "outcomes": moderation.comment_outcomes_for_author(comments=own),
        "statements": moderation.comment_statements_latest(user=user, comments=own) if own else {},
        "changeable": {c.pk for c in own if services.comment_can_change(comment=c, user=user)},
        "liked_comments": selectors.comment_ids_liked(user=user, comment_ids=[e.comment.pk for e in thread]),
        "flash": request.session.pop(FLASH_SESSION_KEY, None),
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


def _comment_refused(request: HttpRequest, wait: float, slug: str) -> HttpResponse:
    """Over the comment limit: the article again, with the form holding what was typed and
    saying when it can be sent (the limiter makes it a 429 with Retry-After)."""
    article = _article_or_404(slug)
    form = CommentForm(request.POST)
    form.is_valid()  # for the reply it belongs to
    form.add_error(None, f"Not posted yet: you have commented many times in a short while. Your text is kept "
                         f"below; press Post again in {wait_in_words(wait)}.")
    return _render_article(request, article, form=form)


@login_required
@require_POST
@rate_limited("comments", refused=_comment_refused)
def comment_post(request: HttpRequest, slug: str) -> HttpResponse:
    article = _article_or_404(slug)
    form = CommentForm(request.POST)
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
                _flash_at(request, comment, "Thanks for your comment!")  # the outcome beneath says where it stands
                return redirect(comment.get_absolute_url())
    return _render_article(request, article, form=form, status=400)


@login_required
@require_POST
@rate_limited("likes")
def article_like(request: HttpRequest, slug: str) -> HttpResponse:
    article = get_object_or_404(Article, slug=slug)
    if request.POST.get("action") == "unlike":
        services.article_unlike(article=article, user=request.user)
    else:
        services.article_like(article=article, user=request.user)
    return redirect(article.get_absolute_url() + "#like")


@login_required
@require_POST
@rate_limited("likes")
def comment_like(request: HttpRequest, pk: int) -> HttpResponse:
    comment = _visible_comment_or_404(request, pk)
    try:
        if request.POST.get("action") == "unlike":
            services.comment_unlike(comment=comment, user=request.user)
        else:
            services.comment_like(comment=comment, user=request.user)
    except ValidationError as exc:
        _flash_at(request, comment, " ".join(exc.messages))
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
    if not services.comment_can_report(comment=comment, user=request.user):
        raise PermissionDenied(services.OWN_COMMENT_REPORT_REFUSED)
    form = ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            _, created = services.comment_report(comment=comment, reporter=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            _flash_at(
                request, comment,
                "Thank you: the moderators will look at this comment." if created else "You have already reported this comment.",
            )
            return redirect(comment.get_absolute_url())
    status = 400 if request.method == "POST" else 200
    return render(request, "blog/report.html", {"comment": comment, "form": form}, status=status)


@login_required
def my_comments(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.comments_by_author(author=request.user), 25).get_page(request.GET.get("page"))
    outcomes = moderation.comment_outcomes_for_author(comments=list(page.object_list))
    statements = moderation.comment_statements_latest(user=request.user, comments=page.object_list)
    return render(request, "blog/my_comments.html", {"page": page, "outcomes": outcomes, "statements": statements})


@rate_limited("register")
def register(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        messages.info(request, f"You are already signed in as {request.user.username}.")
        return redirect("blog:article_list")
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


# --- the author's own comment: edit, delete, the nudge, appeal -----------------------------------------


def _own_comment_or_404(request: HttpRequest, pk: int) -> Comment:
    comment = _visible_comment_or_404(request, pk)
    if comment.author_id != request.user.pk:
        raise PermissionDenied("You can only change your own comments.")
    return comment


def _own_comment_form(request: HttpRequest, comment: Comment, form, *, act, done: str, template: str) -> HttpResponse:
    """GET shows ``form`` for the author's ``comment``; a valid POST calls ``act(cleaned_data)``
    (a service) and returns to the comment with ``done`` beside it; a refusal is shown on the form."""
    if request.method == "POST" and form.is_valid():
        try:
            act(form.cleaned_data)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            _flash_at(request, comment, done)
            return redirect(comment.get_absolute_url())
    status = 400 if request.method == "POST" else 200
    return render(request, template, {"comment": comment, "form": form}, status=status)


@login_required
@rate_limited("comments")
def comment_edit(request: HttpRequest, pk: int) -> HttpResponse:
    comment = _own_comment_or_404(request, pk)
    return _own_comment_form(
        request, comment, CommentForm(request.POST or None, initial={"text": comment.text}),
        act=lambda data: services.comment_edit(comment=comment, author=request.user, text=data["text"]),
        done="Saved. Your edited comment is being checked again.", template="blog/comment_edit.html",
    )


@login_required
def comment_delete(request: HttpRequest, pk: int) -> HttpResponse:
    comment = _own_comment_or_404(request, pk)
    error = ""
    if request.method == "POST":
        try:
            services.comment_delete(comment=comment, author=request.user)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.info(request, "Your comment was deleted.")
            return redirect(comment.article.get_absolute_url() + "#comments")
    return render(request, "blog/comment_delete.html", {"comment": comment, "error": error}, status=400 if error else 200)


@login_required
@require_POST
def comment_nudge_leave(request: HttpRequest, pk: int) -> HttpResponse:
    comment = _own_comment_or_404(request, pk)
    try:
        services.comment_nudge_leave(comment=comment, author=request.user)
    except ValidationError as exc:
        _flash_at(request, comment, " ".join(exc.messages))
    else:
        _flash_at(request, comment, "Left as it is: a moderator will decide.")
    return redirect(comment.get_absolute_url())


@login_required
@rate_limited("reports")
def comment_appeal(request: HttpRequest, pk: int) -> HttpResponse:
    comment = _own_comment_or_404(request, pk)
    return _own_comment_form(
        request, comment, AppealForm(request.POST or None),
        act=lambda data: services.comment_appeal(comment=comment, author=request.user, note=data["note"]),
        done="Thank you: a moderator will review your comment. You will be notified of the outcome.",
        template="blog/appeal.html",
    )


@login_required
def comment_outcome(request: HttpRequest, pk: int) -> JsonResponse:
    """The author's page polls this after posting or editing: the outcome in words, the marked
    phrase, and the comment rendered as the author now sees it."""
    comment = _own_comment_or_404(request, pk)
    outcome = moderation.comment_outcome_for_author(comment=comment)
    return JsonResponse({"id": comment.pk, "text": comment.text, **outcome.as_dict()})


# --- your data ----------------------------------------------------------------------------------


@login_required
def account(request: HttpRequest) -> HttpResponse:
    return render(request, "blog/account.html", {"form": AccountDeleteForm()})


@login_required
def account_export(request: HttpRequest) -> JsonResponse:
    response = JsonResponse(services.user_export(user=request.user), json_dumps_params={"indent": 2, "ensure_ascii": False})
    response["Content-Disposition"] = 'attachment; filename="parley-export.json"'
    return response


@login_required
@require_POST
def account_delete(request: HttpRequest) -> HttpResponse:
    form = AccountDeleteForm(request.POST)
    if not form.is_valid():
        return render(request, "blog/account.html", {"form": form}, status=400)
    services.user_delete(user=request.user, remove_comments=form.cleaned_data["remove_comments"])
    logout(request)
    messages.info(request, "Your account was deleted.")
    return redirect("blog:article_list")
