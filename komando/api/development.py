"""REST endpoints: development progress from e-Monev. Login and a role that may see it required;
OPD officers see only their own OPD."""

from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from komando.accounts.access import can_view_development
from komando.development.progress import STATUSES
from komando.development.selectors import development_panel, development_projects, project_curve


class CanViewDevelopment(BasePermission):
    message = gettext_lazy("Your role may not see development data.")

    def has_permission(self, request, view):
        return can_view_development(request.user)


PERMISSIONS = [IsAuthenticated, CanViewDevelopment]


# Serializers document the response shapes (OpenAPI); the selectors build the data.
class AgencyProgressSerializer(serializers.Serializer):
    agency_code = serializers.CharField()
    agency = serializers.CharField()
    budget = serializers.IntegerField(help_text="Pagu, Rupiah")
    projects = serializers.IntegerField()
    planned_physical = serializers.FloatField(help_text="Cumulative %, budget-weighted")
    realised_physical = serializers.FloatField()
    planned_financial = serializers.FloatField()
    realised_financial = serializers.FloatField()
    deviation_physical = serializers.FloatField(help_text="Realised − planned, percentage points")
    status = serializers.ChoiceField(choices=STATUSES)
    kritis_projects = serializers.IntegerField()


class DevelopmentPanelSerializer(serializers.Serializer):
    source = serializers.CharField()
    fiscal_year = serializers.IntegerField()
    as_of_month = serializers.CharField(allow_null=True, help_text="YYYY-MM")
    budget_total = serializers.IntegerField()
    by_agency = AgencyProgressSerializer(many=True)


class ProjectIdentitySerializer(serializers.Serializer):
    """What names and places a project; shared by the project list and its S-curve."""

    id = serializers.IntegerField()
    source_ref = serializers.CharField()
    name = serializers.CharField()
    agency_code = serializers.CharField()
    agency = serializers.CharField()
    fiscal_year = serializers.IntegerField()
    budget = serializers.IntegerField()
    kelurahan_code = serializers.CharField(allow_null=True)
    lat = serializers.FloatField(allow_null=True)
    lon = serializers.FloatField(allow_null=True)


class ProjectProgressSerializer(ProjectIdentitySerializer):
    planned_physical = serializers.FloatField()
    realised_physical = serializers.FloatField()
    planned_financial = serializers.FloatField()
    realised_financial = serializers.FloatField()
    deviation_physical = serializers.FloatField()
    status = serializers.ChoiceField(choices=STATUSES)


class ProjectListSerializer(serializers.Serializer):
    source = serializers.CharField()
    fiscal_year = serializers.IntegerField()
    as_of_month = serializers.CharField(allow_null=True)
    projects = ProjectProgressSerializer(many=True)


class CurveMonthSerializer(serializers.Serializer):
    month = serializers.CharField(help_text="YYYY-MM")
    planned_physical = serializers.FloatField()
    realised_physical = serializers.FloatField(allow_null=True)
    planned_financial = serializers.FloatField()
    realised_financial = serializers.FloatField(allow_null=True)
    deviation_physical = serializers.FloatField(allow_null=True)
    status = serializers.ChoiceField(choices=STATUSES, allow_null=True)


class ProjectCurveSerializer(ProjectIdentitySerializer):
    source = serializers.CharField()
    months = CurveMonthSerializer(many=True)


class DevelopmentPanelView(APIView):
    permission_classes = PERMISSIONS

    @extend_schema(
        operation_id="development_panel",
        tags=["development"],
        responses=DevelopmentPanelSerializer,
        summary="Development progress per OPD (scoped to the user's OPD for OPD officers)",
    )
    def get(self, request):
        return Response(development_panel(request.user))


class ProjectListView(APIView):
    permission_classes = PERMISSIONS

    @extend_schema(
        operation_id="development_projects",
        tags=["development"],
        responses=ProjectListSerializer,
        summary="Projects (kegiatan) with progress, deviation and status, worst first",
        parameters=[
            OpenApiParameter("agency", str, description="Only this OPD (agency code)"),
            OpenApiParameter("status", str, enum=STATUSES, description="Only projects with this status"),
        ],
    )
    def get(self, request):
        status = request.query_params.get("status") or None
        if status is not None and status not in STATUSES:
            return Response({"detail": _("status must be one of: %(choices)s") % {"choices": ", ".join(STATUSES)}}, status=400)
        return Response(development_projects(request.user, agency_code=request.query_params.get("agency") or None, status=status))


class ProjectCurveView(APIView):
    permission_classes = PERMISSIONS

    @extend_schema(
        operation_id="development_project_curve",
        tags=["development"],
        responses=ProjectCurveSerializer,
        summary="Monthly Kurva S of one project",
    )
    def get(self, request, project_id: int):
        return Response(project_curve(request.user, project_id))


urlpatterns = [
    path("development/", DevelopmentPanelView.as_view(), name="api-development"),
    path("development/projects/", ProjectListView.as_view(), name="api-development-projects"),
    path("development/projects/<int:project_id>/curve/", ProjectCurveView.as_view(), name="api-development-project-curve"),
]
