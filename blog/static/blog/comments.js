/* The author's side of a comment, in the page they posted it from: poll its outcome while it is
 * being checked, then say in plain words what happened (with the marked phrase) and offer the
 * nudge: edit and resubmit in place (PATCH /api/comments/<id>/, checked again), withdraw
 * (DELETE), or leave it for a moderator. No reload; no inline script (the CSP forbids it). */
(function () {
  "use strict";
  var POLL_MS = 700, POLL_FOR_MS = 120000;

  function csrf() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text) e.textContent = text;
    return e;
  }

  function api(url, method, body) {
    return fetch(url, {
      method: method, credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": csrf() },
      body: body ? JSON.stringify(body) : undefined
    });
  }

  function renderText(box, data) {
    var textEl = box.querySelector(".comment-text");
    textEl.textContent = "";
    var t = data.text, s = data.start, e = data.end;
    if (data.phrase && s !== null && e !== null && s >= 0 && e <= t.length && s < e) {
      textEl.appendChild(document.createTextNode(t.slice(0, s)));
      textEl.appendChild(el("mark", "phrase", t.slice(s, e)));
      textEl.appendChild(document.createTextNode(t.slice(e)));
    } else {
      textEl.textContent = t;
    }
  }

  function badge(box, status) {
    var slot = box.querySelector(".status-badge");
    if (!slot) return;
    slot.textContent = "";
    var words = { pending: "awaiting moderation", held: "held for review", failed: "held for review", rejected: "rejected" };
    if (words[status]) slot.appendChild(el("span", "badge " + (status === "rejected" ? "badge-rejected" : "badge-pending"), words[status]));
  }

  function renderOutcome(box, data) {
    box.dataset.status = data.status;
    box.className = box.className.replace(/ comment-\w+/g, "") + (data.status !== "published" ? " comment-" + data.status : "");
    badge(box, data.status);
    renderText(box, data);
    var out = box.querySelector(".outcome");
    out.textContent = "";
    if (data.status === "published") {
      out.appendChild(el("p", "flash msg-info outcome-reason", "Published: everyone can read it now."));
      return;
    }
    if (data.status === "pending") {
      out.appendChild(el("p", "outcome-reason muted", data.reason));
      return;
    }
    out.appendChild(el("p", "outcome-reason" + (data.status === "rejected" ? " reject-reason" : ""), data.reason));
    if (data.nudge) {
      var nudge = el("div", "nudge");
      var p = el("p");
      if (data.phrase) {
        p.appendChild(document.createTextNode("The marked words may break the discussion guidelines: "));
        p.appendChild(el("mark", "", data.phrase));
        p.appendChild(document.createTextNode(". "));
      }
      p.appendChild(document.createTextNode("You can rephrase it and we check it again, withdraw it, or leave it for a moderator."));
      nudge.appendChild(p);
      var edit = el("button", "nudge-edit", "Edit and resubmit");
      var withdraw = el("button", "secondary nudge-withdraw", "Withdraw");
      var leave = el("button", "link nudge-leave", "Leave it for a moderator");
      edit.type = withdraw.type = leave.type = "button";
      edit.addEventListener("click", function () { openEditor(box, data.text); });
      withdraw.addEventListener("click", function () { withdrawComment(box); });
      leave.addEventListener("click", function () { leaveIt(box); });
      nudge.appendChild(edit); nudge.appendChild(document.createTextNode(" "));
      nudge.appendChild(withdraw); nudge.appendChild(document.createTextNode(" "));
      nudge.appendChild(leave);
      out.appendChild(nudge);
    }
  }

  function openEditor(box, text) {
    var out = box.querySelector(".outcome");
    out.textContent = "";
    var form = el("form", "comment-form edit-form");
    var area = el("textarea");
    area.name = "text"; area.rows = 4; area.value = text;
    area.setAttribute("aria-label", "Edit your comment");
    var save = el("button", "", "Resubmit");
    save.type = "submit";
    var error = el("p", "error");
    form.appendChild(area); form.appendChild(save); form.appendChild(error);
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      save.disabled = true;
      api(box.dataset.editApi, "PATCH", { text: area.value }).then(function (r) {
        return r.json().then(function (body) { return { ok: r.ok, body: body }; });
      }).then(function (res) {
        if (!res.ok) {
          save.disabled = false;
          error.textContent = messageOf(res.body);
          return;
        }
        renderOutcome(box, { status: "pending", text: res.body.text, reason: "Being checked again…", phrase: "" });
        poll(box, Date.now());
      }).catch(function () { save.disabled = false; error.textContent = "Could not save; try again."; });
    });
    out.appendChild(form);
    area.focus();
  }

  function messageOf(body) {
    if (!body) return "Could not save.";
    if (body.detail) return body.detail;
    var parts = [];
    Object.keys(body).forEach(function (k) { parts.push([].concat(body[k]).join(" ")); });
    return parts.join(" ");
  }

  function withdrawComment(box) {
    api(box.dataset.editApi, "DELETE").then(function (r) {
      var out = box.querySelector(".outcome");
      if (r.ok) {
        box.querySelector(".comment-text").textContent = "";
        badge(box, "");
        out.textContent = "";
        out.appendChild(el("p", "flash msg-info", "Withdrawn: your comment was deleted."));
      } else {
        r.json().then(function (body) { out.appendChild(el("p", "error", messageOf(body))); });
      }
    });
  }

  function leaveIt(box) {
    api(box.dataset.nudgeApi, "POST", { answer: "left" }).then(function (r) {
      var nudge = box.querySelector(".nudge");
      if (nudge) nudge.remove();
      box.querySelector(".outcome").appendChild(el("p", "flash msg-info", r.ok ? "Left as it is: a moderator will decide." : "Could not record that; try again."));
    });
  }

  function poll(box, started) {
    fetch(box.dataset.outcomeUrl, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (data && data.status !== "pending") { renderOutcome(box, data); return; }
        if (Date.now() - started < POLL_FOR_MS) window.setTimeout(function () { poll(box, started); }, POLL_MS);
      })
      .catch(function () {
        if (Date.now() - started < POLL_FOR_MS) window.setTimeout(function () { poll(box, started); }, POLL_MS * 3);
      });
  }

  document.querySelectorAll(".comment[data-own='1']").forEach(function (box) {
    if (box.dataset.status === "pending") poll(box, Date.now());
    // The server-rendered nudge's buttons work in place too (links stay for readers without JS).
    var edit = box.querySelector("a.nudge-edit"), withdraw = box.querySelector("a.nudge-withdraw");
    if (edit) edit.addEventListener("click", function (ev) {
      ev.preventDefault();
      fetch(box.dataset.outcomeUrl, { credentials: "same-origin" }).then(function (r) { return r.json(); })
        .then(function (data) { openEditor(box, data.text); });
    });
    if (withdraw) withdraw.addEventListener("click", function (ev) { ev.preventDefault(); withdrawComment(box); });
  });
})();
