"""The console API's contract: what each step takes (the serializer is the parser) and what the
queue and an incident look like (documented for the OpenAPI document; the selectors build them)."""

from __future__ import annotations

from rest_framework import serializers

from komando.core.api import Flag, Number, Text

# --- Input: one serializer per step --------------------------------------------------------------


class TransitionInput(serializers.Serializer):
    status = Text("status", required=True, limit=30)
    reason = Text("reason")
    comment = Text("comment")


class ChecklistInput(serializers.Serializer):
    step = Text("step", required=True, limit=60)
    note = Text("note")


class CommentInput(serializers.Serializer):
    text = Text("text", required=True)
    public = Flag("public")


class PriorityInput(serializers.Serializer):
    priority = Text("priority", required=True, limit=20)
    comment = Text("comment")


class EscalateInput(serializers.Serializer):
    comment = Text("comment")


class HandOffInput(serializers.Serializer):
    target = Text("target", required=True, limit=20, help_text="agency, kelurahan or external")
    agency = Number("agency", required=False, help_text="The OPD's id (target agency)")
    kelurahan = Number("kelurahan", required=False, help_text="The kelurahan's id (target kelurahan)")
    party = Text("party", limit=20, help_text="The outside party (target external)")
    reason = Text("reason", required=True)


class AcknowledgeInput(serializers.Serializer):
    handoff = Number("handoff")
    note = Text("note")


class MergeInput(serializers.Serializer):
    into = Text("into", required=True, limit=32, help_text="The ticket number of the incident to merge into")
    comment = Text("comment")


class DispatchInput(serializers.Serializer):
    units = serializers.ListField(child=Number("unit"), help_text="Ids of 1–20 units")
    note = Text("note")


class UnitInput(serializers.Serializer):
    dispatch = Number("dispatch")
    status = Text("status", required=True, limit=20)
    note = Text("note")


# --- Output ----------------------------------------------------------------------------------


class QueueRowSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    ticket = serializers.CharField()
    status = serializers.CharField()
    status_label = serializers.CharField()
    priority = serializers.CharField()
    priority_label = serializers.CharField()
    title = serializers.CharField()
    category = serializers.CharField()
    category_name = serializers.CharField()
    emergency = serializers.BooleanField()
    agency = serializers.CharField()
    agency_name = serializers.CharField()
    kelurahan = serializers.CharField()
    kelurahan_name = serializers.CharField()
    kecamatan = serializers.CharField()
    kecamatan_name = serializers.CharField()
    lat = serializers.FloatField(allow_null=True)
    lon = serializers.FloatField(allow_null=True)
    reported_at = serializers.DateTimeField(allow_null=True)
    respond_due_at = serializers.DateTimeField(allow_null=True)
    resolve_due_at = serializers.DateTimeField(allow_null=True)
    escalation_level = serializers.IntegerField()
    merged_into = serializers.CharField(allow_null=True)
    possible_duplicate_of = serializers.CharField(allow_null=True)
    overdue = serializers.BooleanField()
    overdue_since = serializers.DateTimeField(allow_null=True)
    next_deadline = serializers.DateTimeField(allow_null=True)


class FinishedRowSerializer(QueueRowSerializer):
    resolved_at = serializers.DateTimeField(allow_null=True)


class QueueSerializer(serializers.Serializer):
    now = serializers.DateTimeField()
    incidents = QueueRowSerializer(many=True, help_text="Open incidents, overdue first")
    finished = FinishedRowSerializer(many=True, help_text="Resolved, waiting for the command room to close them")


class MaySerializer(serializers.Serializer):
    work = serializers.BooleanField()
    command = serializers.BooleanField()
    acknowledge = serializers.ListField(child=serializers.IntegerField(), help_text="Hand-offs this user may acknowledge")


class IncidentDetailSerializer(QueueRowSerializer):
    description = serializers.CharField()
    address = serializers.CharField()
    regulation = serializers.CharField()
    verified_at = serializers.DateTimeField(allow_null=True)
    resolved_at = serializers.DateTimeField(allow_null=True)
    closed_at = serializers.DateTimeField(allow_null=True)
    next_steps = serializers.ListField(child=serializers.DictField())
    checklist = serializers.ListField(child=serializers.DictField())
    timeline = serializers.ListField(child=serializers.DictField())
    reports = serializers.ListField(child=serializers.DictField(), help_text="contact only for those who need it")
    dispatches = serializers.ListField(child=serializers.DictField())
    handoffs = serializers.ListField(child=serializers.DictField())
    photos = serializers.ListField(child=serializers.DictField())
    recommended_units = serializers.ListField(child=serializers.DictField())
    may = MaySerializer()


class GoneSerializer(serializers.Serializer):
    gone = serializers.BooleanField(help_text="The step took the incident out of this user's sight (e.g. handed off)")
