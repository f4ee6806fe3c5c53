// The queue board: follows the figures as the queue changes (live.js) and fills the tiles.
(function () {
  "use strict";

  const POLL_MS = 10000;
  const STATE_NAMES = {
    available: "available", ringing: "ringing", "on-call": "on a call", "wrap-up": "wrapping up",
    break: "on a break", "not-ready": "not ready", offline: "offline",
  };

  function show(id, text) { document.getElementById(id).textContent = text; }
  function calls(count) { return count + (count === 1 ? " call" : " calls"); }
  function percent(share) { return share === null ? "–" : Math.round(share * 100) + "%"; }
  function duration(seconds) {
    if (seconds === null) return "–";
    const whole = Math.round(seconds);
    return whole < 60 ? whole + " s" : Math.floor(whole / 60) + " min " + (whole % 60) + " s";
  }

  function render(data) {
    const live = data.live, today = data.today, staffing = data.staffing;
    show("on-the-line", live.on_the_line);
    show("longest-wait", live.on_the_line ? duration(live.longest_wait) : "–");
    show("callbacks", live.callbacks);
    show("working", staffing.working);
    const people = live.signed_in.map((person) => person.name + " (" + (STATE_NAMES[person.state] || person.state) +
      (person.at_desk ? "" : ", not at the desk") + ")");
    show("consultant-states", people.length ? "Signed in: " + people.join(", ") + "." : "Nobody is signed in.");

    const target = data.target;
    show("service-level", percent(today.service_level));
    show("service-level-label", "answered within " + target.seconds + " s (target " + percent(target.share) + ")" +
      (today.callbacks && today.service_level_on_the_line !== null
        ? "; " + percent(today.service_level_on_the_line) + " of callers who stayed on the line" : ""));
    document.getElementById("service-level").classList.toggle(
      "below", today.service_level !== null && today.service_level < target.share);
    show("asa", duration(today.asa));
    show("abandonment", percent(today.abandonment));
    show("own-advisor", percent(today.own_advisor));
    show("today-counts", calls(today.queued) + (today.queued === 1 ? " has" : " have") + " left the queue: " + today.answered + " answered, " +
      today.abandoned + " hung up, " + today.callbacks + " asked for a callback, " +
      today.voicemail + " left a voicemail.");

    let advice;
    if (!staffing.calls_last_hour) {
      advice = "No calls reached the queue in the last hour.";
    } else {
      const gap = staffing.needed - staffing.working;
      advice = calls(staffing.calls_last_hour) + " in the last hour, " +
        Math.round(staffing.handle_seconds) + " s each with wrap-up: " + staffing.needed +
        (staffing.needed === 1 ? " consultant answers " : " consultants answer ") + percent(target.share) + " within " + target.seconds + " s; " +
        staffing.working + (staffing.working === 1 ? " is working" : " are working") +
        (gap > 0 ? ", " + gap + " short." : gap < 0 ? ", " + (-gap) + " more than needed." : ", as needed.");
    }
    show("staffing-advice", advice);
    show("updated", "Updated " + new Date(data.at).toLocaleTimeString());
  }

  // Only where the event stream cannot be opened.
  async function poll() {
    try {
      const response = await fetch("api/board", { headers: { Accept: "application/json" } });
      if (response.ok) render(await response.json());
      else show("updated", "Could not update the board (HTTP " + response.status + ").");
    } catch (error) {
      show("updated", "Could not reach the centre: " + error.message);
      throw error;
    }
  }

  HotlineLive.follow("api/board/events", { board: render }, { poll, pollMs: POLL_MS });
})();
