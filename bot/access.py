"""Who may use the bot. Open to everyone by default; an organisation that runs a closed
bot lists its users (ALLOWED_USER_IDS) and/or chats (ALLOWED_CHAT_IDS). Admins
(ADMIN_IDS) are always let in and alone may run the admin commands."""

from __future__ import annotations

from dataclasses import dataclass

from .config import Config

REFUSAL = (
    "Hej! Den här boten är bara öppen för en begränsad krets. "
    "Kontakta den som driver boten i din organisation om du behöver tillgång."
)
ADMIN_ONLY = "Det kommandot är bara för bottens administratörer."


@dataclass(frozen=True)
class Access:
    allowed_users: frozenset[int] = frozenset()
    allowed_chats: frozenset[int] = frozenset()
    admins: frozenset[int] = frozenset()

    @classmethod
    def from_config(cls, config: Config) -> Access:
        return cls(config.allowed_user_ids, config.allowed_chat_ids, config.admin_ids)

    @property
    def closed(self) -> bool:
        """Only listed users and chats get answers."""
        return bool(self.allowed_users or self.allowed_chats)

    def allows(self, user_id: int | None, chat_id: int | None) -> bool:
        """A listed user is let in anywhere; in a listed chat, every member is."""
        if not self.closed:
            return True
        if user_id is not None and (user_id in self.allowed_users or user_id in self.admins):
            return True
        return chat_id is not None and chat_id in self.allowed_chats

    def is_admin(self, user_id: int | None) -> bool:
        return user_id is not None and user_id in self.admins
