// The queue board: follows the figures as the queue changes (live.js) and fills the tiles; a
// supervisor's board also shows the calls in progress, from the same stream.
(function () {
  "use strict";

  const POLL_MS = 10000;
  const { _, ngettext, share, time } = window.HotlineText;

  function show(id, text) { document.getElementById(id).textContent = text; }
  function calls(count) { return ngettext("%(num)d call", "%(num)d calls", count); }
  function percent(value) { return value === null ? "–" : share(value); }
  function duration(seconds) {
    if (seconds === null) return "–";
    const whole = Math.round(seconds);
    return whole < 60 ? _("%(seconds)s s", { seconds: whole })
      : _("%(minutes)s min %(seconds)s s", { minutes: Math.floor(whole / 60), seconds: whole % 60 });
  }

  function render(data) {
    const live = data.live, today = data.today, staffing = data.staffing;
    show("on-the-line", live.on_the_line);
    show("longest-wait", live.on_the_line ? duration(live.longest_wait) : "–");
    show("callbacks", live.callbacks);
    show("working", staffing.working);
    const people = live.signed_in.map((person) => person.name + " (" + (person.state_label || person.state) +
      (person.at_desk ? "" : ", " + _("not at the desk")) + ")");
    show("consultant-states", people.length ? _("Signed in: %(people)s.", { people: people.join(", ") }) : _("Nobody is signed in."));

    const target = data.target;
    show("service-level", percent(today.service_level));
    show("service-level-label", _("answered within %(seconds)s s (target %(share)s)", { seconds: target.seconds, share: percent(target.share) }) +
      (today.callbacks && today.service_level_on_the_line !== null
        ? "; " + _("%(share)s of callers who stayed on the line", { share: percent(today.service_level_on_the_line) }) : ""));
    document.getElementById("service-level").classList.toggle(
      "below", today.service_level !== null && today.service_level < target.share);
    show("asa", duration(today.asa));
    show("abandonment", percent(today.abandonment));
    show("own-advisor", percent(today.own_advisor));
    show("today-counts", ngettext("%(num)d call has left the queue: %(answered)s answered, %(abandoned)s hung up, %(callbacks)s asked for a callback, %(voicemail)s left a voicemail.",
      "%(num)d calls have left the queue: %(answered)s answered, %(abandoned)s hung up, %(callbacks)s asked for a callback, %(voicemail)s left a voicemail.",
      today.queued, { answered: today.answered, abandoned: today.abandoned, callbacks: today.callbacks, voicemail: today.voicemail }));

    let advice;
    if (!staffing.calls_last_hour) {
      advice = _("No calls reached the queue in the last hour.");
    } else {
      const gap = staffing.needed - staffing.working;
      advice = ngettext("%(calls)s in the last hour, %(handle)s s each with wrap-up: %(num)d consultant answers %(share)s within %(seconds)s s;",
        "%(calls)s in the last hour, %(handle)s s each with wrap-up: %(num)d consultants answer %(share)s within %(seconds)s s;",
        staffing.needed, { calls: calls(staffing.calls_last_hour), handle: Math.round(staffing.handle_seconds), share: percent(target.share), seconds: target.seconds }) + " " +
        ngettext("%(num)d is working", "%(num)d are working", staffing.working) +
        (gap > 0 ? ", " + _("%(count)s short.", { count: gap }) : gap < 0 ? ", " + _("%(count)s more than needed.", { count: -gap }) : ", " + _("as needed."));
    }
    show("staffing-advice", advice);
    show("updated", _("Updated %(time)s", { time: time(new Date(data.at)) }));
  }

  // Only where the event stream cannot be opened.
  async function poll() {
    try {
      const response = await fetch("api/board", { headers: { Accept: "application/json" } });
      if (response.ok) render(await response.json());
      else show("updated", _("Could not update the board (HTTP %(status)s).", { status: response.status }));
    } catch (error) {
      show("updated", _("Could not reach the centre: %(error)s", { error: error.message }));
      throw error;
    }
    await liveCalls.refresh();
  }


  // Calls in progress, for supervisors: raised hands, who supervises what, and joining a call to
  // listen in, coach or barge, on the supervisor's own phone. The stream sends them whenever a
  // call, a hand or a supervision changes (and every few seconds); the times tick here. Rows are
  // kept and updated in place, so that a button is never pulled from under a click.
  const liveCalls = (function () {
    const section = document.getElementById("live-calls");
    if (!section) return { render() {}, async refresh() {} };
    const csrf = document.querySelector('meta[name="csrf-token"]').content;
    const $ = (id) => document.getElementById(id);
    const rows = new Map();
    const MODES = [
      ["monitor", _("Listen in")],
      ["coach", _("Coach")],
      ["barge", _("Barge in")],
    ];
    const HOW = { monitor: _("listening in"), coach: _("coaching"), barge: _("barging in") };
    let last = null; // the latest calls, and when they came
    let busy = false;

    function showError(message) {
      $("live-error").textContent = message || "";
      $("live-error").hidden = !message;
    }

    async function post(url, body) {
      const response = await fetch(url, {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
        body: JSON.stringify(body || {}),
      });
      const payload = await response.json().catch(() => ({}));
      if (!response.ok) throw new Error(payload.error || _("The centre refused (HTTP %(status)s).", { status: response.status }));
      return payload;
    }

    async function act(callSid, action, body) {
      busy = true;
      showError("");
      try {
        const path = "api/live-calls/" + encodeURIComponent(callSid) + "/" + action;
        const done = await post(path, body);
        // Pick up the supervisor's own softphone at once when it rings for this call.
        if (done.leg) document.dispatchEvent(new CustomEvent("hotline:join-call", { detail: { callSid: done.leg } }));
      } catch (error) {
        showError(error.message);
      } finally {
        busy = false;
      }
      await refresh();
    }

    function makeRow(call) {
      const row = document.createElement("tr");
      row.dataset.call = call.call_sid;
      row.innerHTML = "<th scope='row' class='who'></th><td class='since'></td><td class='topic'></td>" +
        "<td class='hand'></td><td class='supervisor'></td><td><div class='buttons'></div></td>";
      const buttons = row.querySelector(".buttons");
      for (const [mode, text] of MODES) {
        const button = document.createElement("button");
        button.type = "button";
        button.textContent = text;
        button.dataset.mode = mode;
        button.setAttribute("aria-pressed", "false");
        button.addEventListener("click", () => act(call.call_sid, "supervise", { mode }));
        buttons.appendChild(button);
      }
      const leave = document.createElement("button");
      leave.type = "button";
      leave.className = "danger";
      leave.textContent = _("Leave");
      leave.dataset.leave = "1";
      leave.addEventListener("click", () => act(call.call_sid, "leave"));
      buttons.appendChild(leave);
      return row;
    }

    function since(seconds, elapsed) {
      return seconds === null || seconds === undefined ? null : seconds + elapsed;
    }

    function tick(row, call, elapsed) {
      row.querySelector(".since").textContent = duration(since(call.talking_seconds, elapsed));
      row.querySelector(".hand").textContent = call.hand
        ? _("Hand raised %(time)s ago", { time: duration(since(call.hand.raised_seconds, elapsed)) }) : "";
    }

    function updateRow(row, call) {
      const name = call.consultant.name || _("consultant %(id)s", { id: call.consultant.id });
      row.querySelector(".who").textContent = name;
      row.querySelector(".topic").textContent = [call.topic_label, call.language_label].filter(Boolean).join(" · ");
      tick(row, call, 0);
      row.classList.toggle("hand-up", !!call.hand);
      const supervision = call.supervision;
      const yours = supervision && supervision.yours;
      let who = "";
      if (supervision) {
        const values = { name: yours ? _("You") : supervision.supervisor.name, how: HOW[supervision.mode] };
        who = supervision.joined ? _("%(name)s · %(how)s", values) : _("%(name)s (phone ringing) · %(how)s", values);
      } else if (!call.in_room) {
        who = _("a callback: no room to join");
      }
      row.querySelector(".supervisor").textContent = who;
      const open = call.in_room && (!supervision || yours);
      row.querySelectorAll("button[data-mode]").forEach((button) => {
        const mode = button.dataset.mode;
        button.hidden = !open;
        button.setAttribute("aria-pressed", String(!!yours && supervision.mode === mode));
        button.setAttribute("aria-label", _("%(action)s: %(name)s's call", { action: button.textContent, name }));
      });
      const leave = row.querySelector("button[data-leave]");
      leave.hidden = !yours;
      leave.setAttribute("aria-label", _("Leave %(name)s's call", { name }));
    }

    function render(data) {
      last = { data, at: Date.now() };
      const body = $("live-rows");
      const seen = new Set();
      for (const call of data.calls) {
        seen.add(call.call_sid);
        let row = rows.get(call.call_sid);
        if (!row) {
          row = makeRow(call);
          rows.set(call.call_sid, row);
        }
        updateRow(row, call);
        body.appendChild(row); // keeps the order the centre gives (longest call first)
      }
      for (const [sid, row] of rows) {
        if (!seen.has(sid)) {
          row.remove();
          rows.delete(sid);
        }
      }
      $("no-calls").hidden = data.calls.length > 0;
      const raised = data.calls.filter((call) => call.hand);
      $("hands").hidden = !raised.length;
      say("hands", raised.length
        ? ngettext("Hand raised: %(names)s asks for help.", "Hands raised: %(names)s ask for help.", raised.length,
          { names: raised.map((call) => call.consultant.name).join(", ") })
        : "");
      const you = data.you;
      say("you", !you ? "" : you.joined
        ? _("You are in a call: %(how)s. Choose another way to be in it, or leave, at any time.", { how: HOW[you.mode] })
        : _("Your phone is ringing: answer it to join the call (%(how)s).", { how: HOW[you.mode] }));
    }

    // A live region is written only when its words change, so that it is announced once.
    function say(id, text) {
      if ($(id).textContent !== text) $(id).textContent = text;
    }

    // Once, after an act of one's own (the stream brings it too) or when the stream is down.
    async function refresh() {
      if (busy) return;
      try {
        const response = await fetch("api/live-calls", { headers: { Accept: "application/json" } });
        if (response.ok) render(await response.json());
        else showError(_("Could not update the calls in progress (HTTP %(status)s).", { status: response.status }));
      } catch (error) {
        showError(_("Could not reach the centre: %(error)s", { error: error.message }));
      }
    }

    // The times on the calls and hands go on between messages.
    window.setInterval(() => {
      if (!last) return;
      const elapsed = (Date.now() - last.at) / 1000;
      for (const call of last.data.calls) {
        const row = rows.get(call.call_sid);
        if (row) tick(row, call, elapsed);
      }
    }, 1000);

    return { render, refresh };
  })();

  HotlineLive.follow("api/board/events", { board: render, calls: liveCalls.render }, { poll, pollMs: POLL_MS });
})();
