package cordon

import (
	"context"
	"time"
)

// Category is the kind of service a customer needs; contracts grant
// service types by category.
type Category string

// The categories.
const (
	CatFault         Category = "fault"
	CatInstallation  Category = "installation"
	CatCommissioning Category = "commissioning"
	CatTraining      Category = "training"
	CatMaintenance   Category = "maintenance"
	CatFollowUp      Category = "follow_up"
	CatUpgrade       Category = "upgrade"
	CatConsultation  Category = "consultation"
	CatRepair        Category = "repair"
	CatInspection    Category = "inspection"
)

// Categories lists every category.
var Categories = []Category{CatFault, CatInstallation, CatCommissioning, CatTraining, CatMaintenance, CatFollowUp, CatUpgrade, CatConsultation, CatRepair, CatInspection}

// Valid reports whether c is a known category.
func (c Category) Valid() bool {
	for _, x := range Categories {
		if c == x {
			return true
		}
	}
	return false
}

// RequestStatus is where a service request stands.
type RequestStatus string

// The request statuses.
const (
	RequestOpen       RequestStatus = "open"       // waiting for dispatch
	RequestDispatched RequestStatus = "dispatched" // a job holds it
	RequestClosed     RequestStatus = "closed"
	RequestCancelled  RequestStatus = "cancelled"
)

// ServiceRequest is what a customer needs, for which unit, where, how urgently.
type ServiceRequest struct {
	ID            int64
	UnitID        *int64
	CustomerID    int64
	ModelID       *int64
	ProductLineID int64
	ProductLine   string // the line's code; filled by finders
	Category      Category
	Priority      Priority
	Description   string
	SiteCity      string
	Status        RequestStatus
	CreatedBy     int64
	CreatedAt     time.Time
}

// RequestService reads and writes service requests.
type RequestService interface {
	// CreateRequest returns EINVALID naming the field on bad input.
	CreateRequest(ctx context.Context, r *ServiceRequest) error
}
