from clients.models.activity import DemandRecord, Interaction, ProductFeedback
from clients.models.brand_plans import BrandPlan, BrandPlanMilestone, BrandPlanTarget
from clients.models.campaigns import Campaign, CampaignContact, CampaignMember
from clients.models.catalogue import Brand, Product
from clients.models.clients import Client, Contact, KeyAccountProfile
from clients.models.complaints import Complaint, ComplaintEvent
from clients.models.costs import KeyAccountCost
from clients.models.imports import ImportJob
from clients.models.pipeline import Lead, LeadStageChange
from clients.models.policy import ClientFilePolicy
from clients.models.service import ServicePlan
from clients.models.surveys import Answer, Question, Survey, SurveyInvitation

__all__ = [
    "Answer",
    "Brand",
    "BrandPlan",
    "BrandPlanMilestone",
    "BrandPlanTarget",
    "Campaign",
    "CampaignContact",
    "CampaignMember",
    "Client",
    "ClientFilePolicy",
    "Complaint",
    "ComplaintEvent",
    "Contact",
    "DemandRecord",
    "ImportJob",
    "Interaction",
    "KeyAccountCost",
    "KeyAccountProfile",
    "Lead",
    "LeadStageChange",
    "Product",
    "ProductFeedback",
    "Question",
    "ServicePlan",
    "Survey",
    "SurveyInvitation",
]
