# Minimal stubs for the parts of django-treebeard Meridian uses (treebeard ships no types).
from typing import Any, ClassVar, Generic, Self, TypeVar

from django.db import models

_N = TypeVar("_N", bound=MP_Node)

class MP_NodeQuerySet(models.QuerySet[_N], Generic[_N]): ...

class MP_NodeManager(models.Manager[_N], Generic[_N]):
    def add_root(self, create_kwargs: dict[str, Any] | None = None, *, instance: _N | None = None) -> _N: ...
    def add_child(
        self, target: _N, create_kwargs: dict[str, Any] | None = None, *, instance: _N | None = None
    ) -> _N: ...
    def move(self, node: _N, target: _N, pos: str | None = None) -> None: ...
    def get_first_root_node(self) -> _N: ...
    def find_problems(self) -> tuple[list[Any], list[Any], list[Any], list[Any], list[Any]]: ...

class MP_Node(models.Model):
    steplen: ClassVar[int]
    alphabet: ClassVar[str]
    path: models.CharField[str, str]
    depth: models.PositiveIntegerField[int, int]
    numchild: models.PositiveIntegerField[int, int]
    objects: ClassVar[MP_NodeManager[Self]]
    @classmethod
    def _get_path(cls, path: str | None, depth: int, newstep: int) -> str: ...
