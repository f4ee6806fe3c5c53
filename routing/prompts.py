"""What the queue says about callbacks and voicemail, in each language.

The shared catalogue (hotline/catalogue) wins when it has a key, so these texts can move there
without a code change; until then they live here, next to the only code that speaks them.
"""

from __future__ import annotations

from hotline import speech

TEXTS: dict[str, dict[str, str]] = {
    "pl": {
        "callback_offer": "Jeśli wolisz, żebyśmy oddzwonili, naciśnij 1. Zachowasz swoje miejsce "
        "w kolejce.",
        "max_wait_offer": "Przepraszamy, że czekasz tak długo. Aby poprosić o oddzwonienie, "
        "naciśnij 1. Aby zostawić wiadomość, naciśnij 2.",
        "voicemail_offer": "Przepraszamy, że czekasz tak długo. Aby zostawić wiadomość, "
        "naciśnij 2.",
        "callback_confirmed": "Dziękujemy. Zachowujemy Twoje miejsce w kolejce. Konsultant "
        "oddzwoni na numer, z którego dzwonisz. Do widzenia.",
        "voicemail_prompt": "Po sygnale nagraj wiadomość. Podaj imię, nazwisko i sprawę. Aby "
        "zakończyć, naciśnij dowolny klawisz.",
        "voicemail_thanks": "Dziękujemy za wiadomość. Do widzenia.",
        "callback_intro": "Oddzwaniasz do klienta z kolejki. Łączymy.",
        "callback_taken": "To oddzwonienie przejął już ktoś inny. Do widzenia.",
        "callback_no_answer": "Klient nie odebrał. Spróbujemy ponownie później.",
    },
    "en": {
        "callback_offer": "If you would rather we call you back, press 1. You keep your place "
        "in the queue.",
        "max_wait_offer": "We are sorry you have waited so long. To be called back, press 1. "
        "To leave a message, press 2.",
        "voicemail_offer": "We are sorry you have waited so long. To leave a message, press 2.",
        "callback_confirmed": "Thank you. You keep your place in the queue, and a consultant "
        "will call you back on the number you are calling from. Goodbye.",
        "voicemail_prompt": "Please leave your message after the tone, with your name and what "
        "it is about. Press any key when you have finished.",
        "voicemail_thanks": "Thank you for your message. Goodbye.",
    },
    "uk": {
        "callback_offer": "Якщо бажаєте, щоб ми вам передзвонили, натисніть 1. Ваше місце в "
        "черзі збережеться.",
        "max_wait_offer": "Вибачте за довге очікування. Щоб замовити зворотний дзвінок, "
        "натисніть 1. Щоб залишити повідомлення, натисніть 2.",
        "voicemail_offer": "Вибачте за довге очікування. Щоб залишити повідомлення, натисніть 2.",
        "callback_confirmed": "Дякуємо. Ваше місце в черзі збережено. Консультант передзвонить "
        "на номер, з якого ви телефонуєте. До побачення.",
        "voicemail_prompt": "Після сигналу залиште повідомлення: ім'я, прізвище та суть "
        "питання. Щоб завершити, натисніть будь-яку клавішу.",
        "voicemail_thanks": "Дякуємо за повідомлення. До побачення.",
    },
    "ro": {
        "callback_offer": "Dacă preferați să vă sunăm noi, apăsați 1. Vă păstrați locul la coadă.",
        "max_wait_offer": "Ne pare rău că așteptați atât de mult. Pentru a fi sunat înapoi, "
        "apăsați 1. Pentru a lăsa un mesaj, apăsați 2.",
        "voicemail_offer": "Ne pare rău că așteptați atât de mult. Pentru a lăsa un mesaj, "
        "apăsați 2.",
        "callback_confirmed": "Vă mulțumim. Vă păstrăm locul la coadă, iar un consultant vă va "
        "suna înapoi la numărul de pe care sunați. La revedere.",
        "voicemail_prompt": "Lăsați mesajul după semnal, cu numele și motivul apelului. Apăsați "
        "orice tastă când ați terminat.",
        "voicemail_thanks": "Vă mulțumim pentru mesaj. La revedere.",
    },
}


def text(language: str, key: str, **values: object) -> str:
    """Return one prompt: the catalogue's if it has it, else ours; Polish fills any gap."""
    ours = TEXTS.get(language, {}).get(key)
    if key in speech.catalogue(language) or (
        ours is None and key in speech.catalogue(speech.DEFAULT_LANGUAGE)
    ):
        return speech.prompt(language, key, **values)
    found = ours or TEXTS[speech.DEFAULT_LANGUAGE][key]
    return found.format(**values) if values else found
