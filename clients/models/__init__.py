from clients.models.activity import DemandRecord, Interaction, ProductFeedback
from clients.models.clients import Client, Contact, KeyAccountProfile
from clients.models.complaints import Complaint, ComplaintEvent
from clients.models.imports import ImportJob
from clients.models.promotions import Promotion, PromotionNotice
from clients.models.service import ServicePlan

__all__ = [
    "Client",
    "Complaint",
    "ComplaintEvent",
    "Contact",
    "DemandRecord",
    "ImportJob",
    "Interaction",
    "KeyAccountProfile",
    "ProductFeedback",
    "Promotion",
    "PromotionNotice",
    "ServicePlan",
]
