"""Conversation references: kept from what Teams sends, found by either of a person's ids,
and the service URL for a channel Teams has not told us of."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import select
from teams_activities import TeamsUser, installed, message, team_installed

from bot.people.conversations import Where, channel, personal_chat
from handlers.teams.references import forget, remember, teams_ids
from models.db import session_scope
from models.tables import ConversationRef

URL, OTHER_URL, DEFAULT = "https://smba.example/uk/", "https://smba.example/emea", "https://smba.example/default"
NOW = datetime(2027, 1, 5, 9, 30, tzinfo=UTC)
BOB = TeamsUser("8a1f0c52-0000-4000-8000-000000000b0b", "Bob Partner")


def test_a_personal_chat_is_found_by_the_entra_id_or_the_teams_id(engine):
    with session_scope(engine) as session:
        remember(session, installed(URL, BOB), NOW)
    with session_scope(engine) as session:
        by_aad = personal_chat(session, BOB.aad_object_id)
        by_teams = personal_chat(session, BOB.id)
        assert by_aad == by_teams == Where(BOB.conversation_id, URL.rstrip("/"))
        assert personal_chat(session, "someone-else") is None
    assert teams_ids(installed(URL, BOB)) == (BOB.aad_object_id, BOB.id)


def test_hearing_again_refreshes_the_service_url_without_a_second_row(engine):
    with session_scope(engine) as session:
        remember(session, installed(URL, BOB), NOW)
    with session_scope(engine) as session:
        remember(session, message(OTHER_URL, BOB, "status"), NOW + timedelta(days=1))
    with session_scope(engine) as session:
        [ref] = session.exec(select(ConversationRef)).all()
        assert ref.service_url == OTHER_URL and ref.updated_at == NOW + timedelta(days=1)


def test_a_removed_chat_is_not_written_to_until_installed_again(engine):
    with session_scope(engine) as session:
        remember(session, installed(URL, BOB), NOW)
    with session_scope(engine) as session:
        forget(session, installed(URL, BOB, action="remove"), NOW)
    with session_scope(engine) as session:
        assert personal_chat(session, BOB.aad_object_id) is None
        remember(session, installed(URL, BOB), NOW)
    with session_scope(engine) as session:
        assert personal_chat(session, BOB.aad_object_id) is not None


def test_a_channel_uses_its_own_then_its_teams_then_any_service_url(engine):
    team = "19:general-abc@thread.tacv2"
    with session_scope(engine) as session:
        assert channel(session, "19:other@thread.tacv2", DEFAULT) == Where("19:other@thread.tacv2", DEFAULT)
        remember(session, installed(OTHER_URL, BOB), NOW)
        remember(session, team_installed(URL, BOB, team, "Vale"), NOW)
    with session_scope(engine) as session:
        assert channel(session, team, DEFAULT).service_url == URL.rstrip("/")
        assert channel(session, "19:elsewhere@thread.tacv2", DEFAULT).service_url in (URL.rstrip("/"), OTHER_URL)
        ref = session.exec(select(ConversationRef).where(ConversationRef.conversation_id == team)).one()
        assert ref.kind == "channel" and ref.team_id == team and ref.user_id is None


def _from_tenant(activity: dict, tenant: str) -> dict:
    return {**activity, "conversation": {**activity["conversation"], "tenantId": tenant}, "channelData": {}}


def test_another_tenants_activity_naming_a_conversation_neither_forgets_nor_moves_it(engine):
    with session_scope(engine) as session:
        remember(session, installed(URL, BOB), NOW)
        [ref] = session.exec(select(ConversationRef)).all()
        own = ref.tenant_id
    assert own
    stranger = "99999999-9999-4999-8999-999999999999"
    with session_scope(engine) as session:
        forget(session, _from_tenant(installed(URL, BOB, action="remove"), stranger), NOW)
        remember(session, _from_tenant(message(OTHER_URL, BOB, "status"), stranger), NOW + timedelta(days=1))
    with session_scope(engine) as session:
        [ref] = session.exec(select(ConversationRef)).all()
        assert ref.removed_at is None and ref.service_url == URL.rstrip("/") and ref.tenant_id == own
    with session_scope(engine) as session:
        forget(session, installed(URL, BOB, action="remove"), NOW)
        assert personal_chat(session, BOB.aad_object_id) is None
