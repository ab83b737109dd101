"""Typed models of AWS architectures: services, flows, and the `Architecture` that joins them."""

from .architecture import Architecture, GraphError, Problem, Requirement, Settings, Suppression
from .base import Model, Service
from .docs import document
from .flows import Flow
from .load import CaseError, Diagnostic, SourcedCase, Variant, load_case, parse_case, read_case
from .registry import FLOW_KINDS, SERVICE_KINDS, AnyFlow, AnyService, kind_of

__all__ = [
    "FLOW_KINDS",
    "SERVICE_KINDS",
    "AnyFlow",
    "AnyService",
    "Architecture",
    "CaseError",
    "Diagnostic",
    "Flow",
    "GraphError",
    "Model",
    "Problem",
    "Requirement",
    "Service",
    "Settings",
    "SourcedCase",
    "Variant",
    "Suppression",
    "document",
    "kind_of",
    "load_case",
    "parse_case",
    "read_case",
]
