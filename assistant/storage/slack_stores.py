"""slack_sdk's OAuth tables (installations, bots, OAuth state), kept in our own database.

The table definitions are slack_sdk's own (`build_*_table`), so names and columns are exactly
what its stores read and write; our migration 0004 creates them and `db check` compares them.
"""

from __future__ import annotations

from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from sqlalchemy import MetaData, Table

BOTS_TABLE = SQLAlchemyInstallationStore.default_bots_table_name
INSTALLATIONS_TABLE = SQLAlchemyInstallationStore.default_installations_table_name
STATES_TABLE = SQLAlchemyOAuthStateStore.default_table_name


def build_store_metadata() -> MetaData:
    metadata = MetaData()
    SQLAlchemyInstallationStore.build_bots_table(metadata, BOTS_TABLE)
    SQLAlchemyInstallationStore.build_installations_table(metadata, INSTALLATIONS_TABLE)
    SQLAlchemyOAuthStateStore.build_oauth_states_table(metadata, STATES_TABLE)
    return metadata


STORE_METADATA = build_store_metadata()
BOTS: Table = STORE_METADATA.tables[BOTS_TABLE]
INSTALLATIONS: Table = STORE_METADATA.tables[INSTALLATIONS_TABLE]
OAUTH_STATES: Table = STORE_METADATA.tables[STATES_TABLE]
# Rows keyed by a team: what a purge deletes besides our own tables.
TEAM_TABLES: tuple[Table, ...] = (INSTALLATIONS, BOTS)
