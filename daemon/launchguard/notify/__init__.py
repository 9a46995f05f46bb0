"""Notification texts in English and Russian, rendered from template files (notify/templates/).

`texts(decision, lang)` is what every sink uses: Alertmanager annotations, the warroom
webhook and the warroom page.
"""

from launchguard.notify.catalog import LANGUAGES, TemplateError
from launchguard.notify.render import NotificationText, degraded_texts, texts

__all__ = ["LANGUAGES", "NotificationText", "TemplateError", "degraded_texts", "texts"]
