"""The parts of an update that a handler is registered for: a command or message has a
chat and a message, a button press its callback query, an inline request its inline
query. PTB types them all as optional, since an update has only some of them; these
say which one a handler relies on (an update without it is a bug in the wiring)."""

from __future__ import annotations

from telegram import CallbackQuery, Chat, InlineQuery, Message, Update


def chat_of(update: Update) -> Chat:
    chat = update.effective_chat
    assert chat is not None, "a handler for chats got an update without one"
    return chat


def message_of(update: Update) -> Message:
    message = update.effective_message
    assert message is not None, "a handler for messages got an update without one"
    return message


def query_of(update: Update) -> CallbackQuery:
    query = update.callback_query
    assert query is not None, "a button handler got an update without a press"
    return query


def inline_of(update: Update) -> InlineQuery:
    query = update.inline_query
    assert query is not None, "an inline handler got an update without a query"
    return query


def text_of(update: Update) -> str:
    """The text of a message that a text filter let through."""
    text = message_of(update).text
    assert text is not None, "a handler for text got a message without any"
    return text
