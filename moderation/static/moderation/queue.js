/* The review queue's keyboard, in-place decisions and live updates (moderation/views.py).
 *
 * Progressive enhancement: every action is also a plain form POST that works without this file.
 * With it: j/k move between cards, a/r/e approve/reject/escalate the current card through
 * POST /api/moderation/comments/<id>/decision/ (fetch, CSRF token from the page), x selects it
 * for the bulk form, ? shows the keys. r and e put the cursor in the card's reason field (the
 * site's ready-made reasons, GET /api/moderation/reasons/, are offered as suggestions; Enter sends).
 * A decided card folds into an "Undo" bar for a few minutes, and the status line offers Undo too
 * (u undoes the last decision): POST /api/moderation/comments/<id>/undo/.
 * Every 10 s the page polls for tab counts and new cards.
 * No inline script or handler anywhere: the page's CSP forbids them.
 */
(function () {
  "use strict";

  var root = document.getElementById("queue");
  if (!root) return;
  var cardsBox = document.getElementById("cards");
  var statusLine = document.getElementById("queue-status");
  var help = document.getElementById("keys-help");
  var POLL_MS = 10000;
  var current = null;

  function csrfToken() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    if (input && input.value) return input.value;
    var m = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return m ? decodeURIComponent(m[1]) : "";
  }

  function cards() {
    return Array.prototype.slice.call(cardsBox.querySelectorAll(".mod-card:not(.stale):not(.decided)"));
  }

  function say(text, isError, undoId) {
    statusLine.textContent = text;
    statusLine.classList.toggle("error", !!isError);
    if (undoId) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "link undo";
      button.dataset.undo = undoId;
      button.textContent = "Undo";
      statusLine.appendChild(document.createTextNode(" "));
      statusLine.appendChild(button);
    }
  }

  // On a phone the filters and the bulk bar would fill the first screen: folded behind their
  // summary there (open by default, so a page without this script still shows them).
  var tools = document.getElementById("queue-tools");
  if (tools && window.matchMedia && window.matchMedia("(max-width: 700px)").matches) tools.open = false;

  var UNDO_MS = (parseInt(root.dataset.undoSeconds, 10) || 600) * 1000;
  var lastDecided = null; // the id of the comment decided last, for "u"

  function foldForUndo(card, text) {
    // The card stays where it was, folded to one line with an Undo button, until the undo window ends.
    card.classList.add("decided");
    var bar = document.createElement("p");
    bar.className = "undo-bar";
    bar.textContent = text + " ";
    var button = document.createElement("button");
    button.type = "button";
    button.className = "undo secondary";
    button.dataset.undo = card.dataset.id;
    button.textContent = "Undo";
    bar.appendChild(button);
    card.insertBefore(bar, card.firstChild);
    card.dataset.foldTimer = String(window.setTimeout(function () {
      if (card.classList.contains("decided")) card.remove();
    }, UNDO_MS));
  }

  function undo(id) {
    var url = root.dataset.undoUrl.replace("/0/", "/" + id + "/");
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Accept": "application/json", "X-CSRFToken": csrfToken() }
    }).then(function (response) {
      return response.json().catch(function () { return null; }).then(function (data) {
        if (!response.ok) { say(errorText(data), true); return; }
        var card = document.getElementById("card-" + id);
        if (card) {
          window.clearTimeout(parseInt(card.dataset.foldTimer || "0", 10));
          var bar = card.querySelector(".undo-bar");
          if (bar) bar.remove();
          if (card.classList.contains("decided")) adjustCount(1);
          card.classList.remove("decided");
          card.dataset.status = data.status;
          card.dataset.seenEvent = String(data.event);
          if (!data.escalated) card.classList.remove("escalated");
          setCurrent(card);
        }
        if (lastDecided === String(id)) lastDecided = null;
        say("Comment " + id + ": decision undone; it is " + data.status + " again.");
      });
    }).catch(function () { say("Network error: nothing was undone. Try again.", true); });
  }

  function setCurrent(card) {
    if (current) current.classList.remove("current");
    current = card || null;
    if (current) {
      current.classList.add("current");
      current.focus({ preventScroll: true });
      current.scrollIntoView({ block: "nearest", behavior: "smooth" });
    }
  }

  function move(step) {
    var list = cards();
    if (!list.length) return;
    var i = list.indexOf(current);
    i = i < 0 ? 0 : Math.min(list.length - 1, Math.max(0, i + step));
    setCurrent(list[i]);
  }

  function adjustCount(delta) {
    // A capped count ("1,000+") stays as it is: one decision does not change it.
    var el = document.querySelector('[data-count-for="' + root.dataset.tab + '"]');
    if (!el || el.dataset.capped) return;
    var n = Math.max(0, parseInt(el.dataset.count, 10) + delta);
    el.dataset.count = String(n);
    el.textContent = n.toLocaleString("en-US");
  }

  function removeCard(card) {
    var list = cards();
    var next = list[list.indexOf(card) + 1] || list[list.indexOf(card) - 1];
    if (current === card) setCurrent(next);
    card.remove();
    updateSelected();
  }

  function cardMessage(card, text) {
    var el = card.querySelector(".card-message");
    if (el) el.textContent = text;
  }

  function errorText(data) {
    if (!data || typeof data !== "object") return "Something went wrong.";
    if (data.detail) return String(data.detail);
    return Object.keys(data).map(function (k) {
      var v = data[k];
      return k + ": " + (Array.isArray(v) ? v.join(" ") : String(v));
    }).join(" ");
  }

  var DONE = { approve: "approved", reject: "rejected", escalate: "escalated" };

  function decide(card, action, reason) {
    var url = root.dataset.decisionUrl.replace("/0/", "/" + card.dataset.id + "/");
    var body = {
      action: action,
      reason: reason || "",
      expected_status: card.dataset.status,
      seen_event: parseInt(card.dataset.seenEvent, 10) || 0,
      revision: card.dataset.revision || undefined
    };
    card.setAttribute("aria-busy", "true");
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": csrfToken() },
      body: JSON.stringify(body)
    }).then(function (response) {
      return response.json().catch(function () { return null; }).then(function (data) {
        card.removeAttribute("aria-busy");
        if (response.ok) {
          lastDecided = card.dataset.id;
          say("Comment " + card.dataset.id + " " + DONE[action] + ".", false, card.dataset.id);
          if (action === "escalate") {
            // Stays in the queue, now flagged; the next poll or reload moves it to the top.
            card.classList.add("escalated");
            card.dataset.canEscalate = "0";
            var f = card.querySelector('.decide-form[data-action="escalate"]');
            if (f) f.remove();
          } else {
            adjustCount(-1);
            var list = cards();
            var next = list[list.indexOf(card) + 1] || list[list.indexOf(card) - 1];
            foldForUndo(card, "Comment " + card.dataset.id + " " + DONE[action] + ".");
            if (current === card) setCurrent(next);
            updateSelected();
          }
        } else if (response.status === 409 && data && data.changed === "text") {
          // The author edited it since this card was drawn: show the new text, pinned to its
          // revision, so the next decision is about what the moderator now reads.
          var textEl = card.querySelector(".mod-text");
          if (textEl) textEl.textContent = data.text;
          var why = card.querySelector(".why-held");
          if (why) why.remove();
          card.dataset.revision = data.revision;
          card.querySelectorAll('input[name="revision"]').forEach(function (i) { i.value = data.revision; });
          card.classList.add("edited");
          cardMessage(card, errorText(data));
          say(errorText(data), true);
        } else if (response.status === 409) {
          // Someone else decided it first: show who, and take it out of the keyboard's way.
          cardMessage(card, errorText(data));
          card.classList.add("stale");
          say(errorText(data), true);
          if (current === card) move(1);
        } else if (response.status === 403) {
          say("Not allowed: are you still signed in as a moderator?", true);
        } else {
          cardMessage(card, errorText(data));
          say(errorText(data), true);
        }
      });
    }).catch(function () {
      card.removeAttribute("aria-busy");
      say("Network error: nothing was decided. Try again.", true);
    });
  }

  function act(action) {
    var card = current || cards()[0];
    if (!card) return;
    setCurrent(card);
    var allowed = { approve: card.dataset.canApprove, reject: card.dataset.canReject, escalate: card.dataset.canEscalate };
    if (allowed[action] !== "1") {
      say("Comment " + card.dataset.id + " cannot be " + DONE[action] + " from here.", true);
      return;
    }
    if (action === "reject" || action === "escalate") {
      // Ask for the reason in the card itself: the site's reasons are suggested as one types.
      var field = card.querySelector('.decide-form[data-action="' + action + '"] input[name=reason]');
      if (field) {
        field.focus();
        say(action === "reject" ? "Reason for rejecting (the author will see it), then Enter; Esc cancels."
                                : "Why escalate (moderators see it), then Enter; Esc cancels.");
        return;
      }
    }
    decide(card, action, "");
  }

  function updateSelected() {
    var n = cardsBox.querySelectorAll(".select-box:checked").length;
    var el = document.getElementById("selected-count");
    if (el) el.textContent = String(n);
  }

  function toggleSelect() {
    var card = current || cards()[0];
    if (!card) return;
    setCurrent(card);
    var box = card.querySelector(".select-box");
    if (box) { box.checked = !box.checked; updateSelected(); }
  }

  function toggleHelp() {
    help.hidden = !help.hidden;
  }

  // Forms on the cards: decide in place instead of reloading.
  cardsBox.addEventListener("submit", function (event) {
    var form = event.target.closest(".decide-form");
    if (!form) return;
    event.preventDefault();
    var card = form.closest(".mod-card");
    var reasonField = form.querySelector("input[name=reason]");
    var reason = reasonField ? reasonField.value.trim() : "";
    if (reasonField && reasonField.required && !reason) { reasonField.focus(); say("Give a reason first.", true); return; }
    if (reasonField) reasonField.blur();
    decide(card, form.dataset.action, reason);
  });
  document.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-undo]");
    if (button) { event.preventDefault(); undo(button.dataset.undo); }
  });
  document.addEventListener("keydown", function (event) {
    // Esc in a reason field: back to the keyboard, nothing sent.
    if (event.key === "Escape" && event.target.matches && event.target.matches(".decide-form input[name=reason]")) {
      event.target.blur();
      say("");
    }
  });

  function loadReasons() {
    if (!root.dataset.reasonsUrl) return;
    fetch(root.dataset.reasonsUrl, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (!data) return;
        ["reject", "escalate"].forEach(function (use) {
          var list = document.getElementById("reasons-" + use);
          if (!list) return;
          (data[use] || []).forEach(function (text) {
            var option = document.createElement("option");
            option.value = text;
            list.appendChild(option);
          });
        });
      })
      .catch(function () { /* free text still works */ });
  }
  loadReasons();
  cardsBox.addEventListener("change", function (event) {
    if (event.target.classList.contains("select-box")) updateSelected();
  });
  cardsBox.addEventListener("click", function (event) {
    var card = event.target.closest(".mod-card");
    if (card && card !== current) { current && current.classList.remove("current"); current = card; card.classList.add("current"); }
  });
  document.getElementById("keys-toggle").addEventListener("click", toggleHelp);

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    var t = event.target;
    if (t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName))) return;
    var keys = {
      j: function () { move(1); }, k: function () { move(-1); },
      a: function () { act("approve"); }, r: function () { act("reject"); }, e: function () { act("escalate"); },
      x: toggleSelect, "?": toggleHelp,
      u: function () { if (lastDecided) undo(lastDecided); else say("Nothing to undo.", true); }
    };
    var fn = keys[event.key];
    if (fn) { event.preventDefault(); fn(); }
  });

  // --- live updates ---------------------------------------------------------------------------

  var laterPage = new URLSearchParams(window.location.search).has("cursor");

  function rankOf(card) { return [parseFloat(card.dataset.rank), parseInt(card.dataset.id, 10)]; }
  function before(a, b) { return a[0] > b[0] || (a[0] === b[0] && a[1] > b[1]); } // a ranks above b

  function insertCard(html, rank, id) {
    if (document.getElementById("card-" + id)) return false; // already shown
    var tpl = document.createElement("template");
    tpl.innerHTML = html.trim();
    var node = tpl.content.firstElementChild;
    if (!node) return false;
    node.classList.add("new");
    var key = [rank, id];
    var list = Array.prototype.slice.call(cardsBox.querySelectorAll(".mod-card"));
    var after = null;
    for (var i = 0; i < list.length; i++) {
      if (before(key, rankOf(list[i]))) { after = list[i]; break; }
    }
    var empty = cardsBox.querySelector(".empty");
    if (empty) empty.remove();
    cardsBox.insertBefore(node, after);
    return true;
  }

  function poll() {
    if (document.hidden) return;
    var list = Array.prototype.slice.call(cardsBox.querySelectorAll(".mod-card"));
    var params = new URLSearchParams();
    params.set("here", root.dataset.here);
    if (laterPage) {
      params.set("counts_only", "1");
    } else {
      var last = list[list.length - 1];
      if (last) params.set("until", last.dataset.cursor);
      params.set("known", list.map(function (c) { return c.dataset.id; }).join(","));
    }
    var base = root.dataset.pollUrl.replace(/[?&]$/, "");
    var url = base + (base.indexOf("?") < 0 ? "?" : "&") + params.toString();
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (!data) return;
        Object.keys(data.counts || {}).forEach(function (tab) {
          var el = document.querySelector('[data-count-for="' + tab + '"]');
          if (!el) return;
          el.dataset.count = String(data.counts[tab]);
          if (data.counts_capped && data.counts_capped[tab]) {
            el.dataset.capped = "1";
            el.title = "more than " + data.counts[tab] + "; counting stops there";
          } else {
            delete el.dataset.capped;
            el.removeAttribute("title");
          }
          el.textContent = data.count_labels ? data.count_labels[tab] : String(data.counts[tab]);
        });
        if (laterPage || !data.ids) return;
        var present = {};
        data.ids.forEach(function (id) { present[id] = true; });
        list.forEach(function (card) {
          // Decided elsewhere (or moved to another tab): no longer in the queue here.
          if (!present[card.dataset.id] && !card.classList.contains("decided")) removeCard(card);
        });
        var added = (data.cards || []).filter(function (c) { return insertCard(c.html, c.rank, c.id); }).length;
        if (added) say(added + " new comment(s) in the queue.");
      })
      .catch(function () { /* the next poll tries again */ });
  }

  window.setInterval(poll, POLL_MS);
  setCurrent(null);
  // The keys work from here on (the script is deferred: a key pressed before this is not seen).
  root.dataset.keysReady = "1";
})();
