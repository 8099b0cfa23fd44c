"""Request dependencies: the objects routes need, taken from the application state.

They only read `app.state`, so they are `async def`: FastAPI calls them on the event loop
instead of sending each one to the thread pool and back (a round trip per request).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.templating import Jinja2Templates

from bot.engine import ConversationEngine
from bot.store.repository import ConversationStore
from config.taxonomy import Taxonomy
from indexer.service import SearchService
from knowledge.store.repository import KnowledgeStore


async def get_store(request: Request) -> KnowledgeStore:
    store: KnowledgeStore = request.app.state.knowledge.store
    return store


async def get_taxonomy(request: Request) -> Taxonomy:
    taxonomy: Taxonomy = request.app.state.knowledge.taxonomy
    return taxonomy


async def get_search(request: Request) -> SearchService:
    search: SearchService = request.app.state.search
    return search


async def get_engine(request: Request) -> ConversationEngine:
    engine: ConversationEngine = request.app.state.engine
    return engine


async def get_conversations(request: Request) -> ConversationStore:
    conversations: ConversationStore = request.app.state.conversations
    return conversations


async def get_templates(request: Request) -> Jinja2Templates:
    templates: Jinja2Templates = request.app.state.templates
    return templates


StoreDep = Annotated[KnowledgeStore, Depends(get_store)]
TaxonomyDep = Annotated[Taxonomy, Depends(get_taxonomy)]
SearchDep = Annotated[SearchService, Depends(get_search)]
EngineDep = Annotated[ConversationEngine, Depends(get_engine)]
ConversationsDep = Annotated[ConversationStore, Depends(get_conversations)]
TemplatesDep = Annotated[Jinja2Templates, Depends(get_templates)]
