"""The Telegram Application: the handlers (bot/telegram/handlers.py) and the command
table (bot/telegram/commands.py) wired together, with the reminder job, the update
processor, signals, logging and the webhook.

build_application() wires everything for a given assistant, store, configuration and
clock (tests pass a fake clock and a fake Bot API server); run_telegram() is what
`python -m bot` calls when TELEGRAM_BOT_TOKEN is set.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Callable
from datetime import time

from telegram import (
    LinkPreviewOptions,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import InvalidToken as InvalidToken  # re-exported: bot/cli.py reports it
from telegram.error import NetworkError as NetworkError  # likewise
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    ApplicationBuilder,
    BaseRateLimiter,
    BaseUpdateProcessor,
    CallbackQueryHandler,
    ContextTypes,
    Defaults,
    InlineQueryHandler,
    JobQueue,
    MessageHandler,
    TypeHandler,
    filters,
)

from ..access import Access
from ..config import Config
from ..engine.conversation import Conversations
from ..engine.dates import STOCKHOLM, Clock, system_clock
from ..subscriptions.database import describe, open_store
from ..subscriptions.delivery import stale_claims_warning
from ..subscriptions.feedback import THANKED_PREFIX, VOTE_PREFIX, Votes
from ..subscriptions.reminders import SEND_AT
from ..subscriptions.store_base import Store
from . import admin_upload
from .admin_upload import upload_conversation
from .commands import other_command, register_commands, set_menus
from .fair_answers import ChatTurns, Flooded
from .handlers import (
    FLOODED,
    gatekeeper,
    inline_answer,
    not_text,
    on_error,
    question,
    reminder_button,
    reminder_state_button,
    source_button,
    stale_button,
    thanked_button,
    unwatch_button,
    vote_button,
    watch_button,
)
from .reminder_sender import ReminderSender
from .send import (
    AGAIN_PREFIX,
    AGAIN_STATE,
    DONE_PREFIX,
    DONE_STATE,
    SOURCE_PREFIX,
    SUBSCRIBE_PREFIX,
    UNSUBSCRIBE_PREFIX,
    RetryPolicy,
    WireGate,
    esc,
)
from .sent_replies import SentReplies
from .services import (
    AssistantLike,
    Services,
    refresh_assistant,
    services,
    services_of,
)
from .updates import chat_of

log = logging.getLogger(__name__)


REMINDER_INTERVAL = 15 * 60.0  # seconds between catch-up runs, besides the 09:00 run

DESCRIPTION = (
    "Beredskapsboten svarar på frågor om regionernas och kommunernas uppgifter, frister, "
    "stöd och statsbidrag inom krisberedskap och civilt försvar – med källa – och påminner "
    "före fristerna. Skriv en fråga, till exempel ”När ska RSA rapporteras?”."
)
SHORT_DESCRIPTION = "Uppgifter, frister, stöd och statsbidrag inom beredskap – med källa."


# -- wiring ---------------------------------------------------------------------------


def register_handlers(app: Application) -> None:
    """Register every handler. Order matters: within a group the first matching handler
    wins, so the specific commands come first, then the button, then the catch-all for
    unknown (or å/ä/ö-spelled) commands, then free text - it excludes commands, so a
    command can never be mistaken for a question - and last anything that is not text.
    The gatekeeper runs first of all, in its own group."""
    new = filters.UpdateType.MESSAGE  # an edited command is not run a second time
    app.add_handler(TypeHandler(Update, gatekeeper), group=-1)
    admins = services_of(app).access.admins
    if admins:  # an admin's file starts a conversation that takes over their chat
        app.add_handler(upload_conversation(admins))
    register_commands(app)  # every command in the table (bot/telegram/commands.py)
    app.add_handler(CallbackQueryHandler(watch_button, pattern=f"^{SUBSCRIBE_PREFIX}"))
    app.add_handler(CallbackQueryHandler(unwatch_button, pattern=f"^{UNSUBSCRIBE_PREFIX}"))
    app.add_handler(
        CallbackQueryHandler(reminder_button, pattern=f"^({DONE_PREFIX}|{AGAIN_PREFIX})")
    )
    app.add_handler(
        CallbackQueryHandler(reminder_state_button, pattern=f"^({DONE_STATE}|{AGAIN_STATE})$")
    )
    app.add_handler(CallbackQueryHandler(source_button, pattern=f"^{SOURCE_PREFIX}"))
    app.add_handler(CallbackQueryHandler(thanked_button, pattern=f"^{THANKED_PREFIX}"))
    app.add_handler(CallbackQueryHandler(vote_button, pattern=f"^{VOTE_PREFIX}"))
    app.add_handler(CallbackQueryHandler(stale_button))
    app.add_handler(InlineQueryHandler(inline_answer))
    app.add_handler(MessageHandler(new & filters.COMMAND, other_command))
    text = filters.UpdateType.MESSAGES & filters.TEXT & ~filters.COMMAND  # edits too
    app.add_handler(MessageHandler(text, question))
    app.add_handler(MessageHandler(new & ~filters.TEXT, not_text))
    app.add_error_handler(on_error)


async def reminder_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Scheduled: sends change notices for replaced source documents, then the reminders
    that are due (and any missed while down)."""
    await services(context).reminders.run()


def schedule_reminders(app: Application, interval: float | None) -> None:
    """Daily at 09:00 Stockholm (when reminders fall due) and every `interval` seconds,
    starting right away, to catch up after downtime. Runs never overlap (a lock in the
    sender) and never send twice (claims in the store)."""
    if interval is None:
        return
    jq = _jobs(app)
    jq.run_daily(
        reminder_job,
        time(SEND_AT.hour, SEND_AT.minute, 5, tzinfo=STOCKHOLM),
        name="reminders-daily",
    )
    jq.run_repeating(
        reminder_job, interval=interval, first=min(interval, 5.0), name="reminders-catch-up"
    )


def _jobs(app: Application) -> JobQueue:
    job_queue = app.job_queue
    assert job_queue is not None, "python-telegram-bot[job-queue] is a dependency"
    return job_queue


def build_application(
    assistant: AssistantLike,
    store: Store,
    config: Config,
    clock: Clock = system_clock,
    *,
    policy: RetryPolicy | None = None,
    rate_limiter: BaseRateLimiter | None = None,
    reminder_interval: float | None = REMINDER_INTERVAL,
    reload: Callable[[], AssistantLike] | None = None,
    read_timeout: float = 5.0,  # PTB's default; tests shorten it to exercise timeouts
    one_run_at_a_time: bool = True,  # tests turn it off to run two instances' runs at once
) -> Application:
    """The configured Application; nothing talks to Telegram until it is started."""
    policy = policy or RetryPolicy()

    async def post_init(app: Application) -> None:
        await set_menus(app.bot, config.admin_ids)
        # what Telegram shows before the first message and on the bot's profile
        await app.bot.set_my_description(DESCRIPTION)
        await app.bot.set_my_short_description(SHORT_DESCRIPTION)
        if admin_upload.remove_stale_uploads():
            log.info("Temporary files of unfinished uploads from an earlier run removed")
        warning = stale_claims_warning(store)
        if warning:
            log.warning(warning)
        schedule_reminders(app, reminder_interval)
        stale = getattr(getattr(assistant, "searcher", None), "stale", ())
        if stale and reload is not None:
            # answering already, from the unchanged sources; the rest once built
            log.info("Sökindexet saknar %d ändrade källor – bygger dem i bakgrunden", len(stale))
            _jobs(app).run_once(_refresh_at_start, 0, name="index-refresh")

    async def post_shutdown(app: Application) -> None:
        services_of(app).answers.close()
        dropped = admin_upload.discard_all(app.user_data)
        if dropped:
            log.info("%d unfinished document upload(s) discarded at shutdown", dropped)

    app = (
        ApplicationBuilder()
        .token(config.token)
        .base_url(config.base_url)
        .base_file_url(config.base_file_url)
        .defaults(
            Defaults(
                parse_mode=ParseMode.HTML,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
                tzinfo=STOCKHOLM,
            )
        )
        # Rate limiting only: RetryAfter is retried by with_retries, with injectable sleep.
        .rate_limiter(rate_limiter or WireGate(max_retries=0))
        .read_timeout(read_timeout)
        .post_init(post_init)
        .post_shutdown(post_shutdown)
        # chats are handled concurrently, each chat's updates in order (and floods cut)
        .concurrent_updates(ChatOrderedUpdates())
        .build()
    )
    app.bot_data["services"] = Services(
        assistant=assistant,
        store=store,
        clock=clock,
        policy=policy,
        reminders=ReminderSender(
            app.bot, store, assistant.knowledge, clock, policy, one_run_at_a_time=one_run_at_a_time
        ),
        access=Access.from_config(config),
        reload=reload,
        reloading=asyncio.Lock(),
        conversations=Conversations(clock=lambda: clock().timestamp()),
        replies=SentReplies(clock=lambda: clock().timestamp()),
        votes=Votes(clock=lambda: clock().timestamp()),
    )
    register_handlers(app)
    return app


class ChatOrderedUpdates(BaseUpdateProcessor):
    """Updates of different chats at the same time, each chat's one at a time and in
    order (bot.fair_answers.ChatTurns), so that one chat's flood never holds up another's
    question. A chat's turn is taken before one of the concurrency slots, so a waiting
    backlog holds none; beyond MAX_WAITING updates in hand the chat is told once to slow
    down and the rest are dropped."""

    def __init__(self, max_concurrent_updates: int = 256):
        super().__init__(max_concurrent_updates)
        self.turns = ChatTurns()

    # PTB marks process_update final; this processor exists to order updates around it
    async def process_update(self, update: object, coroutine) -> None:  # type: ignore[misc]
        chat = getattr(update, "effective_chat", None)
        if chat is None:  # inline queries, polls: no chat whose order matters
            await super().process_update(update, coroutine)
            return
        try:
            async with self.turns.turn(chat.id):
                await super().process_update(update, coroutine)
        except Flooded as exc:
            coroutine.close()  # never started: dropped
            if exc.first and isinstance(update, Update):  # (a chat's: an Update)
                await _tell_flooded(update)

    async def do_process_update(self, update: object, coroutine) -> None:
        await coroutine

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release."""


async def _tell_flooded(update: Update) -> None:
    try:
        await update.get_bot().send_message(chat_of(update).id, esc(FLOODED))
    except TelegramError as exc:
        log.warning("Could not send the flood notice: %s", type(exc).__name__)


def stop_on_signals(app: Application) -> None:
    """SIGTERM and SIGINT stop the reminder sender first (no new claims, nothing waiting
    in the rate limiter), then the Application: platforms kill 10-30 s after SIGTERM, and
    Application.stop would otherwise wait for a whole reminder run to finish."""
    started = app.post_init

    async def post_init(app: Application) -> None:
        if started:
            await started(app)
        loop = asyncio.get_running_loop()

        def stop() -> None:
            log.info("Stopping: no new reminders are claimed; in-flight sends finish")
            services_of(app).reminders.stop()
            app.stop_running()

        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop)

    app.post_init = post_init


async def _refresh_at_start(context: ContextTypes.DEFAULT_TYPE) -> None:
    answer = await refresh_assistant(services(context))
    log.info("Sökindexet: %s", answer.text.splitlines()[0])


class Redact(logging.Filter):
    """What the logs must never hold: the token and the webhook secret are replaced
    wherever they would appear, and the libraries' DEBUG lines (which carry whole updates:
    question texts, users' names) are dropped, at every LOG_LEVEL."""

    QUIET = ("telegram", "httpx", "httpcore", "apscheduler", "tornado", "hpack")

    def __init__(self, *secrets: str | None):
        super().__init__()
        self.secrets = [(s, "<token>" if i == 0 else "<secret>")
                        for i, s in enumerate(secrets) if s]  # fmt: skip

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.INFO and record.name.split(".")[0] in self.QUIET:
            return False
        message = record.getMessage()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        for secret, mark in self.secrets:
            if secret in message:
                message = message.replace(secret, mark)
                record.msg, record.args = message, None
            if record.exc_text and secret in record.exc_text:
                record.exc_text = record.exc_text.replace(secret, mark)
        return True


def configure_logging(config: Config, level: int = logging.INFO) -> None:
    """Log to stderr without ever writing the token, the webhook secret, a question or a
    name (bot code logs neither; Redact keeps the libraries from it)."""
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # httpx logs every request URL at INFO - and the Bot API URL contains the token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    # With max_retries=0 the rate limiter logs each 429 as an exception; we retry them.
    logging.getLogger("telegram.ext.AIORateLimiter").setLevel(logging.CRITICAL)
    for handler in logging.getLogger().handlers:
        handler.addFilter(Redact(config.token, config.webhook_secret))


def webhook_options(config: Config) -> dict:
    """Where the webhook server listens and what it tells Telegram (run_webhook and
    Updater.start_webhook take the same options). Telegram sends WEBHOOK_SECRET in a
    header, so requests that do not come from Telegram are refused."""
    return {
        "listen": config.listen,
        "port": config.port,
        "url_path": config.webhook_path,
        "webhook_url": config.webhook_url,
        "secret_token": config.webhook_secret,
        "allowed_updates": Update.ALL_TYPES,
    }


def run_telegram(config: Config) -> None:
    """Run the bot until interrupted: webhook mode when WEBHOOK_URL is set, else polling."""
    configure_logging(config)
    from ..engine.assistant import Assistant  # heavy: loads the knowledge and opens the index

    store = open_store(config.database)
    try:
        # answering at once (see post_init), English included
        assistant = Assistant.create(stale_ok=True).prepare()
        app = build_application(assistant, store, config,
                                reload=lambda: Assistant.create().prepare())  # fmt: skip
        stop_on_signals(app)
        log.info("Database: %s; Bot API: %s", describe(config.database), config.api_root)
        if config.webhook_url:
            log.info(
                "Webhook mode: listening on %s:%s/%s, secret %s", config.listen, config.port,
                config.webhook_path,
                "drawn at start (WEBHOOK_SECRET unset)" if config.secret_generated else "set",
            )  # fmt: skip
            app.run_webhook(**webhook_options(config), stop_signals=None)
        else:
            log.info("Long polling from %s", config.api_root)
            app.run_polling(allowed_updates=Update.ALL_TYPES, stop_signals=None)
    finally:
        store.close()
