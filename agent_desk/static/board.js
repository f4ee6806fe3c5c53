// The queue board: follows the figures as the queue changes (live.js) and fills the tiles.
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
  }

  HotlineLive.follow("api/board/events", { board: render }, { poll, pollMs: POLL_MS });
})();
