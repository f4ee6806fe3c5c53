// The softphone on every desk page: it rings (a tone made here, and a notification when the tab
// is in the background), shows who is calling, and answers, declines, mutes, sends keys and
// hangs up through the desk's phone (phone.js), whichever page the consultant is on. During a
// call the consultant may raise a hand for a supervisor's help; a supervisor who joins a
// colleague's call from the board is rung here too, and picked up at once.
(function () {
  const panel = document.getElementById("softphone");
  if (!panel || !window.HotlinePhone) return;
  const $ = (id) => document.getElementById(id);
  const { _ } = window.HotlineText;
  const makePhone = () => HotlinePhone.makePhone({
    emulator: panel.dataset.emulator,
    emulatorToken: panel.dataset.emulatorToken,
    identity: panel.dataset.identity,
    tokenUrl: panel.dataset.tokenUrl,
  });
  // One of the consultant's tabs rings; the others show the call (live.js).
  const phone = window.HotlineLive
    ? HotlineLive.sharedPhone(makePhone, "hotline-phone:" + panel.dataset.identity)
    : makePhone();
  const ringsHere = () => phone.ringsHere !== false;
  const onDeskPage = !!document.getElementById("desk");
  const ALERTS_ASKED = "hotline.call-alerts-asked";

  // Sounds made with the Web Audio API: the ring, and a tone for each key pressed.
  const sound = {
    context: null,
    ringTimer: null,
    ensure() {
      const Context = window.AudioContext || window.webkitAudioContext;
      if (!this.context && Context) this.context = new Context();
      return this.context;
    },
    audible() {
      return !!this.context && this.context.state === "running";
    },
    tone(frequencies, start, seconds, volume) {
      const context = this.context;
      const gain = context.createGain();
      gain.connect(context.destination);
      gain.gain.setValueAtTime(0, start);
      gain.gain.linearRampToValueAtTime(volume, start + 0.02);
      gain.gain.setValueAtTime(volume, start + seconds - 0.03);
      gain.gain.linearRampToValueAtTime(0, start + seconds);
      for (const frequency of frequencies) {
        const oscillator = context.createOscillator();
        oscillator.frequency.value = frequency;
        oscillator.connect(gain);
        oscillator.start(start);
        oscillator.stop(start + seconds);
      }
    },
    ringOnce() {
      if (!this.audible()) return;
      const now = this.context.currentTime;
      this.tone([440, 480], now, 0.4, 0.12);
      this.tone([440, 480], now + 0.6, 0.4, 0.12);
    },
    startRinging() {
      this.ensure();
      if (this.ringTimer) return;
      this.ringOnce();
      this.ringTimer = setInterval(() => this.ringOnce(), 3000);
    },
    stopRinging() {
      clearInterval(this.ringTimer);
      this.ringTimer = null;
    },
    key(key) {
      const rows = { 1: 697, 2: 697, 3: 697, 4: 770, 5: 770, 6: 770, 7: 852, 8: 852, 9: 852, "*": 941, 0: 941, "#": 941 };
      const columns = { 1: 1209, 4: 1209, 7: 1209, "*": 1209, 2: 1336, 5: 1336, 8: 1336, 0: 1336, 3: 1477, 6: 1477, 9: 1477, "#": 1477 };
      if (!this.ensure() || !this.audible()) return;
      this.tone([rows[key], columns[key]], this.context.currentTime, 0.15, 0.08);
    },
  };

  // A browser may start sound only after the consultant has touched the page.
  const wake = () => {
    const context = sound.ensure();
    if (context && context.state !== "running") context.resume().then(render, () => {});
  };
  document.addEventListener("pointerdown", wake, true);
  document.addEventListener("keydown", wake, true);

  const alerts = {
    note: null,
    supported: "Notification" in window,
    offer() {
      if (!this.supported || Notification.permission !== "default") return;
      if (localStorage.getItem(ALERTS_ASKED)) return;
      $("phone-alerts").hidden = false;
    },
    answerOffer(allow) {
      localStorage.setItem(ALERTS_ASKED, "yes");
      $("phone-alerts").hidden = true;
      if (allow) Notification.requestPermission();
    },
    show(text) {
      if (!this.supported || Notification.permission !== "granted") return;
      if (document.visibilityState === "visible" && document.hasFocus()) return;
      this.close();
      this.note = new Notification(_("Incoming call"), { body: text, tag: "hotline-ringing", requireInteraction: true });
      this.note.onclick = () => {
        window.focus();
        this.close();
      };
    },
    close() {
      if (this.note) this.note.close();
      this.note = null;
    },
  };

  let caller = null; // the desk's view of the call: /desk/api/state's "call"
  let callerNumber = "";
  let endedNotice = false;
  let ringingSid = null; // the call ringing (or connected) now
  let joinSid = null; // the call the board asked the network to ring this supervisor on
  let supervising = false; // this call puts the supervisor into a colleague's call
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const hand = { raised: false, timer: null, note: "", watching: false };

  function callTitle() {
    if (supervising) return phone.state === "connected" ? _("In a colleague's call") : _("Joining a colleague's call");
    if (caller && caller.asked_for_you) return _("Callback: your customer asked for you");
    if (caller && caller.callback) return phone.state === "ringing" ? _("Callback to make") : _("Callback");
    if (caller && caller.outbound && phone.state === "ringing") return _("Your call to the customer: answer to ring them");
    if (phone.state === "connected") return _("On a call");
    return _("Incoming call");
  }

  function showError(message) {
    $("phone-error-text").textContent = message || "";
    $("phone-error").hidden = !message;
  }

  function render() {
    const state = phone.state;
    const live = state === "ringing" || state === "connected";
    $("phone-status").textContent = { offline: _("Phone off"), idle: _("Phone ready"), ringing: _("Ringing"), connected: _("On a call") }[state];
    $("phone-status").className = "phone-status " + state;
    panel.hidden = !live && !endedNotice;
    panel.className = "card softphone " + (live ? state : "ended");
    $("softphone-title").textContent = live ? callTitle() : _("Call ended");
    const customer = caller && caller.customer;
    $("softphone-number").textContent = supervising
      ? _("Choose on the Queue board how you are in it: listen in, coach or barge in.")
      : (caller && caller.caller_number) || callerNumber || _("unknown number");
    $("softphone-customer").hidden = !customer;
    if (customer) {
      $("softphone-customer").textContent = customer.name;
      $("softphone-customer").href = customer.url;
    }
    // Written here, not in the template, so that a page without a call carries no such words.
    $("softphone-own").textContent = _("your customer");
    $("softphone-own").hidden = !(caller && caller.own_customer);
    $("softphone-vulnerable").textContent = _("vulnerable");
    $("softphone-vulnerable").hidden = !(customer && customer.vulnerable);
    $("softphone-topic").textContent = caller && caller.topic ? "· " + caller.topic_label : "";
    // The Desk page shows the caller's record in full below.
    panel.querySelector(".caller").hidden = onDeskPage;
    $("phone-answer").hidden = state !== "ringing";
    $("phone-decline").hidden = state !== "ringing";
    $("phone-hangup").hidden = state !== "connected";
    $("phone-mute").hidden = state !== "connected";
    $("phone-mute").textContent = phone.muted ? _("Unmute") : _("Mute");
    $("phone-mute").setAttribute("aria-pressed", String(phone.muted));
    $("phone-keypad").hidden = state !== "connected" || supervising;
    $("phone-hand").hidden = state !== "connected" || supervising;
    $("phone-hand").textContent = hand.raised ? _("Lower hand") : _("Raise hand");
    $("phone-hand").setAttribute("aria-pressed", String(hand.raised));
    $("phone-hand-note").textContent = hand.note;
    $("phone-hand-note").hidden = state !== "connected" || supervising || !hand.note;
    $("phone-wrap-up").hidden = live || onDeskPage;
    $("phone-sound").hidden = !(state === "ringing" && ringsHere() && !sound.audible());
    $("phone-elsewhere").hidden = !(state === "ringing" && !ringsHere());
  }

  async function learnCaller() {
    // The router marks the desk ringing before the network rings the phone; a short retry
    // covers a slow reply.
    for (let attempt = 0; attempt < 5 && phone.state !== "idle"; attempt++) {
      try {
        const response = await fetch("/desk/api/state", { headers: { Accept: "application/json" } });
        const desk = await response.json();
        if (desk.call) {
          caller = desk.call;
          render();
          return;
        }
      } catch (error) {
        // The phone works without the caller's name.
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }

  function describeCaller() {
    const customer = caller && caller.customer;
    // The network's From is the hotline's own number (the centre rings the desk itself); the
    // desk's record of the call knows who is calling.
    const number = (caller && caller.caller_number) || callerNumber;
    return customer ? `${customer.name} (${number})` : number || _("unknown number");
  }

  // The board rang this supervisor's phone into a colleague's call: answer it (now, or when it
  // rings), since the supervisor asked for exactly this call a moment ago.
  document.addEventListener("hotline:join-call", (event) => {
    joinSid = event.detail && event.detail.callSid;
    if (joinSid && phone.state === "ringing" && ringingSid === joinSid) joinColleague();
  });

  function joinColleague() {
    supervising = true;
    render();
    act(() => phone.accept())();
  }

  async function syncHand(raised) {
    const url = $("phone-hand").dataset.url;
    try {
      const response = raised === undefined
        ? await fetch(url, { headers: { Accept: "application/json" } })
        : await fetch(url, {
          method: "POST",
          headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
          body: JSON.stringify({ raised }),
        });
      const body = await response.json().catch(() => ({}));
      if (!response.ok) {
        if (raised !== undefined) showError(body.error || _("The hand could not be raised; try again."));
        return;
      }
      const wasRaised = hand.raised;
      hand.raised = !!body.raised;
      if (hand.raised) hand.note = _("Hand raised: a supervisor sees it on the board.");
      else if (wasRaised && raised === undefined) hand.note = _("A supervisor has come to your call.");
      else if (raised === false) hand.note = "";
      followHand();
      render();
    } catch (error) {
      if (raised !== undefined) showError(_("The desk could not reach the centre; try again."));
    }
  }

  // Only a raised hand can change without the consultant (a supervisor comes, or the call
  // ends), so the centre is asked about it only while it is up.
  function followHand() {
    if (hand.raised && !hand.timer) hand.timer = setInterval(() => syncHand(), 3000);
    if (!hand.raised && hand.timer) {
      clearInterval(hand.timer);
      hand.timer = null;
    }
  }

  function watchHand(on) {
    if (on) {
      if (!hand.watching) syncHand(); // a page opened during a call learns of a hand raised before
    } else {
      hand.raised = false;
      hand.note = "";
      followHand();
    }
    hand.watching = on;
  }

  phone.onIncoming(async ({ from, callSid }) => {
    caller = null;
    callerNumber = from;
    endedNotice = false;
    ringingSid = callSid || null;
    supervising = false;
    if (ringingSid && ringingSid === joinSid) return joinColleague();
    render();
    await learnCaller();
    if (phone.state === "ringing" && ringsHere()) alerts.show(describeCaller());
  });

  phone.on("state", (state) => {
    if (state === "ringing" && ringsHere()) sound.startRinging();
    else sound.stopRinging();
    if (state !== "ringing") alerts.close();
    if (state === "connected") {
      showError("");
      if (!caller && !supervising) learnCaller();
    }
    watchHand(state === "connected" && !supervising);
    if (state === "idle") alerts.offer();
    render();
  });

  phone.on("ended", ({ answered }) => {
    endedNotice = answered && !onDeskPage && !supervising;
    supervising = false;
    ringingSid = null;
    if (!answered) caller = null;
    render();
  });

  phone.on("mute", render);

  // How long the consultant has been talking, on the panel.
  const talk = {
    started: null,
    tick: null,
    start() {
      this.started = Date.now();
      clearInterval(this.tick);
      this.tick = setInterval(() => this.show(), 1000);
      this.show();
    },
    stop() {
      clearInterval(this.tick);
      this.tick = null;
      this.started = null;
      this.show();
    },
    show() {
      const shown = $("softphone-timer");
      shown.hidden = this.started === null;
      if (this.started !== null) shown.textContent = _("Talking for %(time)s", { time: clock((Date.now() - this.started) / 1000) });
    },
  };

  // How long is left of a timed wrap-up, in the header of every page; the centre says how
  // much is left (its clock, not the browser's), and the page counts it down.
  const wrapUp = {
    until: null,
    tick: null,
    async learn() {
      try {
        const response = await fetch("/desk/api/state", { headers: { Accept: "application/json" } });
        const desk = await response.json();
        this.set(desk.state === "wrap-up" ? desk.wrap_up_left : null);
      } catch (error) {
        // The countdown is a courtesy; the centre ends the wrap-up on time either way.
      }
    },
    set(seconds) {
      clearInterval(this.tick);
      this.until = typeof seconds === "number" ? Date.now() + seconds * 1000 : null;
      if (this.until !== null) this.tick = setInterval(() => this.show(), 1000);
      this.show();
    },
    show() {
      const shown = $("wrap-countdown");
      if (!shown) return;
      const left = this.until === null ? null : Math.max(0, (this.until - Date.now()) / 1000);
      shown.hidden = left === null || left === 0;
      if (left !== null) shown.textContent = _("Wrap-up: %(time)s left", { time: clock(left) });
      if (left === 0) this.set(null);
    },
  };

  function clock(seconds) {
    const whole = Math.floor(seconds);
    return `${Math.floor(whole / 60)}:${String(whole % 60).padStart(2, "0")}`;
  }

  phone.on("state", (state) => {
    if (state === "connected") talk.start();
    else talk.stop();
  });
  phone.on("ended", ({ answered }) => {
    if (answered) wrapUp.learn();
  });
  phone.on("network", (state) => {
    $("phone-network").hidden = state !== "reconnecting";
  });
  wrapUp.learn();

  // The microphone and speaker, kept for the next visit.
  const AUDIO_CHOICE = "hotline-audio-devices";
  async function offerDevices() {
    let found;
    try {
      found = await phone.devices();
    } catch (error) {
      return;
    }
    const chosen = JSON.parse(localStorage.getItem(AUDIO_CHOICE) || "{}");
    const fill = (select, devices, current) => {
      const keep = select.options[0];
      select.replaceChildren(keep);
      devices.forEach((device, index) => {
        const option = new Option(device.label || _("Device %(number)s", { number: index + 1 }), device.id);
        option.selected = device.id === current;
        select.add(option);
      });
    };
    fill($("phone-input"), found.inputs, chosen.input);
    fill($("phone-output"), found.outputs, chosen.output);
    if (chosen.input || chosen.output) phone.useDevices(chosen);
  }
  const chooseDevices = () => {
    const chosen = { input: $("phone-input").value || null, output: $("phone-output").value || null };
    localStorage.setItem(AUDIO_CHOICE, JSON.stringify(chosen));
    phone.useDevices(chosen);
  };
  $("phone-input").addEventListener("change", chooseDevices);
  $("phone-output").addEventListener("change", chooseDevices);
  $("phone-audio").addEventListener("toggle", () => {
    if ($("phone-audio").open) offerDevices();
  });
  if (navigator.mediaDevices && navigator.mediaDevices.addEventListener) {
    navigator.mediaDevices.addEventListener("devicechange", offerDevices);
  }
  phone.on("error", ({ message }) => showError(message));

  const act = (action) => async () => {
    try {
      await action();
    } catch (error) {
      showError(_("The phone did not respond; try again."));
    }
  };
  $("phone-answer").addEventListener("click", act(() => phone.accept()));
  $("phone-decline").addEventListener("click", act(() => phone.reject()));
  $("phone-hangup").addEventListener("click", act(() => phone.hangUp()));
  $("phone-mute").addEventListener("click", act(() => phone.mute(!phone.muted)));
  $("phone-hand").addEventListener("click", () => syncHand(!hand.raised));
  $("phone-keypad").querySelectorAll("button[data-key]").forEach((button) =>
    button.addEventListener(
      "click",
      act(() => {
        sound.key(button.dataset.key);
        return phone.sendDigits(button.dataset.key);
      })
    )
  );
  $("phone-error-dismiss").addEventListener("click", () => showError(""));
  $("phone-ended-dismiss").addEventListener("click", () => {
    endedNotice = false;
    render();
  });
  $("phone-alerts-allow").addEventListener("click", () => alerts.answerOffer(true));
  $("phone-alerts-later").addEventListener("click", () => alerts.answerOffer(false));

  render();
  phone.register();
})();
