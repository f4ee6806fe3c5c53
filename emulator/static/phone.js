// The phone page: places a call through the emulator's control API and polls its transcript.
(function () {
  "use strict";

  // Short text labels rather than emoji: they read well in every font and to screen readers.
  const LABELS = {
    dial: "call", ringing: "ring", connected: "talk", say: "says", play: "plays", pause: "pause",
    gather: "listen", input: "you", silence: "silent", redirect: "next", enqueue: "queue",
    wait: "wait", dequeue: "queue", record: "record", hangup: "hang up", reject: "reject",
    status: "end", error: "error", warning: "warning", sms: "sms", request: "http",
    answer: "answer", screen: "screen", bridged: "talk", "screened-out": "no take",
    join: "joins", leave: "leaves", hold: "hold", unhold: "back", mute: "mute", unmute: "unmute",
    coach: "coach", modify: "change", "participant-added": "call in",
    "phone-mute": "mic off", "phone-hold": "hold key",
  };
  const POLL_MS = 300;
  // The emulator hangs up a call whose page stops polling for this long (a closed tab or a
  // crashed browser). Browsers slow timers in background tabs to about one a minute, so the
  // margin is wide: a caller can wait in the queue while the trainee works on the desk tab.
  const HEARTBEAT_SECONDS = 180;

  const form = document.getElementById("dial-form");
  const fromInput = document.getElementById("from-number");
  const toInput = document.getElementById("to-number");
  const callButton = document.getElementById("call-button");
  const hangupButton = document.getElementById("hangup-button");
  const state = document.getElementById("call-state");
  const keys = Array.from(document.querySelectorAll(".key"));
  const speechForm = document.getElementById("speech-form");
  const speechText = document.getElementById("speech-text");
  const speechButton = document.getElementById("speech-button");
  const transcript = document.getElementById("transcript");
  const empty = document.getElementById("transcript-empty");
  const showRequests = document.getElementById("show-requests");

  let callSid = null;
  let lastSeq = 0;
  let pollTimer = null;

  const saved = window.localStorage.getItem("emulator-phone-from");
  if (saved) fromInput.value = saved;
  transcript.classList.toggle("hide-requests", !showRequests.checked);

  function setLive(live) {
    callButton.disabled = live;
    hangupButton.disabled = !live;
    fromInput.disabled = live;
    toInput.disabled = live;
    keys.forEach((key) => { key.disabled = !live; });
    speechText.disabled = !live;
    speechButton.disabled = !live;
  }

  function showState(text, kind) {
    state.textContent = text;
    state.className = "state" + (kind ? " " + kind : "");
  }

  // The control API answers only to the token this page was served with.
  const authorization = {
    Authorization: "Bearer " + document.querySelector('meta[name="emulator-token"]').content,
  };

  async function api(method, path, body) {
    const response = await fetch(path, {
      method: method,
      headers: body ? { "Content-Type": "application/json", ...authorization } : authorization,
      body: body ? JSON.stringify(body) : undefined,
    });
    const data = await response.json().catch(() => ({}));
    if (!response.ok) throw new Error(data.error || "HTTP " + response.status);
    return data;
  }

  function addEvent(event) {
    const item = document.createElement("li");
    item.className = "kind-" + event.kind;
    const time = document.createElement("span");
    time.className = "time";
    time.textContent = event.t.toFixed(1) + "s";
    const icon = document.createElement("span");
    icon.className = "icon";
    icon.textContent = LABELS[event.kind] || event.kind;
    const text = document.createElement("span");
    text.className = "text";
    if (event.kind === "say" && event.language) {
      const lang = document.createElement("span");
      lang.className = "lang";
      lang.textContent = "[" + event.language + "]";
      text.appendChild(lang);
    }
    text.appendChild(document.createTextNode(event.text));
    item.append(time, icon, text);
    transcript.appendChild(item);
    empty.hidden = true;
    transcript.scrollTop = transcript.scrollHeight;
  }

  async function poll() {
    if (!callSid) return;
    try {
      const data = await api("GET", "/emulator/calls/" + callSid + "/events?after=" + lastSeq);
      data.events.forEach((event) => { lastSeq = event.seq; addEvent(event); });
      if (data.ended) {
        showState("Call ended: " + data.status, "ended");
        finish();
        return;
      }
      showState(data.status === "in-progress" ? "In call" : "Ringing…", "live");
    } catch (error) {
      showState("Lost the emulator: " + error.message, "ended");
    }
    pollTimer = window.setTimeout(poll, POLL_MS);
  }

  function finish() {
    callSid = null;
    window.clearTimeout(pollTimer);
    setLive(false);
    callButton.focus();
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!form.reportValidity()) return;
    window.localStorage.setItem("emulator-phone-from", fromInput.value);
    transcript.replaceChildren();
    lastSeq = 0;
    try {
      const data = await api("POST", "/emulator/calls", {
        from: fromInput.value, to: toInput.value, heartbeat: HEARTBEAT_SECONDS,
      });
      callSid = data.sid;
      setLive(true);
      showState("Calling…", "live");
      poll();
    } catch (error) {
      showState("Could not call: " + error.message, "ended");
    }
  });

  hangupButton.addEventListener("click", async () => {
    if (!callSid) return;
    try { await api("POST", "/emulator/calls/" + callSid + "/hangup"); } catch (error) { /* already over */ }
  });

  // Leaving or reloading the page puts the phone down at once.
  window.addEventListener("pagehide", () => {
    if (callSid) {
      fetch("/emulator/calls/" + callSid + "/hangup", { method: "POST", headers: authorization, keepalive: true });
    }
  });

  async function press(key) {
    if (!callSid) return;
    const button = keys.find((candidate) => candidate.dataset.key === key);
    if (button) {
      button.classList.add("pressed");
      window.setTimeout(() => button.classList.remove("pressed"), 150);
    }
    try { await api("POST", "/emulator/calls/" + callSid + "/input", { digits: key }); } catch (error) { showState(error.message, "ended"); }
  }

  keys.forEach((key) => key.addEventListener("click", () => press(key.dataset.key)));

  document.addEventListener("keydown", (event) => {
    const typing = event.target instanceof HTMLInputElement;
    if (!callSid || typing || event.ctrlKey || event.metaKey || event.altKey) return;
    if (/^[0-9*#]$/.test(event.key)) {
      event.preventDefault();
      press(event.key);
    }
  });

  speechForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const words = speechText.value.trim();
    if (!callSid || !words) return;
    try {
      await api("POST", "/emulator/calls/" + callSid + "/input", { speech: words });
      speechText.value = "";
    } catch (error) {
      showState(error.message, "ended");
    }
  });

  showRequests.addEventListener("change", () => {
    transcript.classList.toggle("hide-requests", !showRequests.checked);
  });
})();
