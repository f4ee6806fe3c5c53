"""The desk's phone adapter (phone.js) in Chromium: one interface over Twilio's Voice SDK and
over the emulator, and the SDK kept off Twilio's CDN."""

from __future__ import annotations

import json
import mimetypes
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, Route

from agent_desk.softphone import access_token
from consultants.models import Consultant
from hotline.settings import DEV_API_KEY_SECRET, DEV_API_KEY_SID, DEV_TWIML_APP_SID, Settings

pytestmark = [pytest.mark.slow, pytest.mark.browser]

STATIC = Path(__file__).resolve().parents[2] / "agent_desk/static"
ORIGIN = "http://localhost:8765"  # answered by page.route below; localhost is a secure context
SDK = "/desk/static/vendor/twilio-voice-sdk/twilio.min.js"
SETTINGS = Settings(
    twilio_api_key_sid=DEV_API_KEY_SID,
    twilio_api_key_secret=DEV_API_KEY_SECRET,
    twilio_twiml_app_sid=DEV_TWIML_APP_SID,
)

# A stand-in for Twilio.Device and its Call: they keep what the phone asks of them and let the
# test play the network's part.
FAKE_DEVICE = """
class Emitter {
  constructor() { this.handlers = {}; this.log = []; }
  on(event, handler) { (this.handlers[event] = this.handlers[event] || []).push(handler); }
  emit(event, ...args) { (this.handlers[event] || []).forEach((handler) => handler(...args)); }
}
class FakeCall extends Emitter {
  constructor(parameters) { super(); this.parameters = parameters; }
  accept() { this.log.push("accept"); this.emit("accept", this); }
  reject() { this.log.push("reject"); this.emit("reject"); }
  disconnect() { this.log.push("disconnect"); this.emit("disconnect", this); }
  mute(on) { this.log.push("mute " + on); this.emit("mute", on, this); }
  sendDigits(keys) { this.log.push("keys " + keys); }
}
class FakeDevice extends Emitter {
  static isSupported = true;
  constructor(token, options) {
    super();
    FakeDevice.last = this;
    this.tokens = [token];
    this.options = options;
    this.state = "unregistered";
  }
  async register() { this.state = "registered"; this.emit("registered"); }
  updateToken(token) { this.tokens.push(token); }
  destroy() { this.state = "destroyed"; }
}
window.FakeCall = FakeCall;
window.FakeDevice = FakeDevice;
"""


def serve_desk(page: Page, tokens: list[str]) -> list[str]:
    """Answer the page's requests from the desk's static files and a token endpoint; return the
    list that every request the page makes is added to (others than the desk's are refused)."""
    requested: list[str] = []

    def answer(route: Route) -> None:
        url = route.request.url
        requested.append(url)
        path = urlsplit(url).path
        if not url.startswith(ORIGIN):
            route.abort()
        elif path == "/desk/":
            route.fulfill(content_type="text/html", body="<!doctype html><title>desk</title>")
        elif path == "/desk/api/token":
            token = access_token(SETTINGS, Consultant(id=7))
            tokens.append(token.token)
            route.fulfill(content_type="application/json", body=json.dumps(token.as_dict()))
        elif path.startswith("/desk/static/") and (STATIC / path[13:]).is_file():
            file = STATIC / path[13:]
            route.fulfill(
                content_type=mimetypes.guess_type(file.name)[0] or "text/plain",
                body=file.read_bytes(),
            )
        else:
            route.fulfill(status=404, body="")

    page.route("**/*", answer)
    page.goto(f"{ORIGIN}/desk/")
    return requested


def test_both_phones_offer_the_same_interface(page: Page):
    serve_desk(page, [])
    page.add_script_tag(url=f"{ORIGIN}/desk/static/phone.js")
    methods = page.evaluate(
        """() => {
        const { PHONE_METHODS, TwilioVoicePhone, EmulatorPhone } = window.HotlinePhone;
        const own = (kind) => Object.getOwnPropertyNames(kind.prototype)
          .filter((name) => name !== "constructor" && !name.startsWith("_"))
          .filter((name) => typeof kind.prototype[name] === "function")
          .sort();
        const phones = [new TwilioVoicePhone(), new EmulatorPhone({ emulator: "x", identity: "y" })];
        return {
          twilio: own(TwilioVoicePhone),
          emulator: own(EmulatorPhone),
          required: [...PHONE_METHODS].sort(),
          shared: phones.map((phone) => [typeof phone.on, typeof phone.onIncoming, phone.state]),
        };
    }"""
    )
    assert methods["twilio"] == methods["emulator"] == methods["required"]
    assert methods["required"] == sorted(
        ["register", "unregister", "accept", "reject", "hangUp", "mute", "sendDigits"]
        + ["devices", "useDevices"]
    )
    assert methods["shared"] == [["function", "function", "offline"]] * 2


def test_the_twilio_phone_registers_refreshes_its_token_and_takes_a_call(page: Page):
    tokens: list[str] = []
    serve_desk(page, tokens)
    page.add_script_tag(content=FAKE_DEVICE)
    page.add_script_tag(url=f"{ORIGIN}/desk/static/phone.js")
    seen = page.evaluate(
        """async () => {
        const phone = new HotlinePhone.TwilioVoicePhone({ Device: FakeDevice });
        const events = [];
        phone.on("state", (state) => events.push("state " + state));
        phone.onIncoming(({ from, callSid }) => events.push(`incoming ${from} ${callSid}`));
        phone.on("ended", ({ answered }) => events.push("ended answered=" + answered));
        phone.on("mute", (on) => events.push("mute " + on));
        phone.on("error", ({ message }) => events.push("error " + message));
        await phone.register();
        const device = FakeDevice.last;
        device.emit("tokenWillExpire", device);
        await new Promise((resolve) => setTimeout(resolve, 300));

        const call = new FakeCall({ From: "+48601000003", CallSid: "CA1" });
        device.emit("incoming", call);
        await phone.accept();
        await phone.mute(true);
        await phone.sendDigits("5");
        await phone.hangUp();
        const declined = new FakeCall({ From: "+48601000001", CallSid: "CA2" });
        device.emit("incoming", declined);
        await phone.reject();
        device.emit("error", { code: 31401, message: "Permission denied" });
        const sounds = Object.values(device.options.sounds);
        return {
          events, calls: [call.log, declined.log], tokens: device.tokens,
          refreshMs: device.options.tokenRefreshMs,
          soundCount: sounds.length,
          soundsAreLocal: sounds.every((url) => url.startsWith("data:audio/wav;base64,")),
        };
    }"""
    )
    assert seen["tokens"] == tokens and len(tokens) == 2, "a new token before the old one ran out"
    assert seen["refreshMs"] == 60000
    assert (seen["soundCount"], seen["soundsAreLocal"]) == (15, True)
    assert seen["calls"] == [["accept", "mute true", "keys 5", "disconnect"], ["reject"]]
    assert seen["events"] == [
        "state idle",
        "state ringing",
        "incoming +48601000003 CA1",
        "state connected",
        "mute true",
        "mute false",
        "state idle",
        "ended answered=true",
        "state ringing",
        "incoming +48601000001 CA2",
        "state idle",
        "ended answered=false",
        "error The browser did not let the desk use your microphone. Allow the microphone for "
        "this site (the icon in the address bar), then answer again.",
    ]


# The SDK's Device.audio (an AudioHelper): the devices it offers, and what the phone chose.
FAKE_AUDIO = """
class FakeAudio {
  constructor() {
    const device = (id, label) => [id, { deviceId: id, label }];
    this.availableInputDevices = new Map([device("default", "Default"), device("mic-2", "USB headset")]);
    this.availableOutputDevices = new Map([device("default", "Default"), device("spk-2", "USB headset")]);
    this.isOutputSelectionSupported = true;
    this.chosen = [];
    this.speakerDevices = { set: async (id) => this.chosen.push("speaker " + id) };
  }
  async setInputDevice(id) { this.chosen.push("microphone " + id); }
}
window.FakeAudio = FakeAudio;
"""


def test_the_twilio_phone_offers_audio_devices_and_says_when_the_network_drops(page: Page):
    serve_desk(page, [])
    page.add_script_tag(content=FAKE_DEVICE)
    page.add_script_tag(content=FAKE_AUDIO)
    page.add_script_tag(url=f"{ORIGIN}/desk/static/phone.js")
    seen = page.evaluate(
        """async () => {
        const phone = new HotlinePhone.TwilioVoicePhone({ Device: FakeDevice });
        const network = [];
        phone.on("network", (state) => network.push(state));
        await phone.register();
        const device = FakeDevice.last;
        device.audio = new FakeAudio();
        const offered = await phone.devices();
        await phone.useDevices({ input: "mic-2", output: "spk-2" });

        const call = new FakeCall({ From: "+48221952400", CallSid: "CA1" });
        device.emit("incoming", call);
        await phone.accept();
        call.emit("reconnecting", { code: 53405 });
        const during = phone.state;
        call.emit("reconnected");
        // The signalling drops: the phone signs in again by itself.
        device.state = "unregistered";
        device.emit("unregistered");
        await new Promise((resolve) => setTimeout(resolve, 2500));
        return { offered, chosen: device.audio.chosen, network, during, after: device.state };
    }"""
    )
    assert [d["label"] for d in seen["offered"]["inputs"]] == ["Default", "USB headset"]
    assert [d["id"] for d in seen["offered"]["outputs"]] == ["default", "spk-2"]
    assert seen["chosen"] == ["microphone mic-2", "speaker spk-2"]
    assert seen["during"] == "connected", "a call whose sound drops is still the call"
    assert seen["network"] == ["ok", "reconnecting", "ok", "reconnecting", "ok"]
    assert seen["after"] == "registered"


def test_the_real_voice_sdk_loads_nothing_from_twilios_cdn(page: Page):
    tokens: list[str] = []
    requested = serve_desk(page, tokens)
    page.add_script_tag(url=f"{ORIGIN}{SDK}")
    page.add_script_tag(url=f"{ORIGIN}/desk/static/phone.js")
    built = page.evaluate(
        """async () => {
        const phone = new HotlinePhone.TwilioVoicePhone();
        phone.register();  // the network is out of reach here; the Device is built all the same
        for (let waited = 0; !phone.device && waited < 5000; waited += 100) {
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
        await new Promise((resolve) => setTimeout(resolve, 1000));
        const built = !!phone.device;
        await phone.unregister();
        return { built, version: Twilio.Device.version };
    }"""
    )
    assert built == {"built": True, "version": "2.18.5"}
    assert len(tokens) == 1
    assert not [url for url in requested if "sdk.twilio.com" in url], requested
    assert not [url for url in requested if not url.startswith(ORIGIN)], requested
