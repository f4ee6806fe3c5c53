// A voicemail whose audio the phone network no longer holds says so, instead of a player that
// silently shows 0:00: the audio's address answers with an error, and the player gives way to
// the words the page carries for it.
(function () {
  "use strict";
  for (const player of document.querySelectorAll("audio[data-gone]")) {
    player.addEventListener("error", () => {
      const note = document.createElement("p");
      note.className = "audio-gone";
      note.setAttribute("role", "status");
      note.textContent = player.dataset.gone;
      player.replaceWith(note);
    });
  }
})();
