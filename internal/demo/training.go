package demo

import (
	"context"
	"time"

	"github.com/cordon/cordon/internal/cordon"
)

// demoTrainee is one person the partner trained, with the assessment.
type demoTrainee struct {
	name, position, department string
	passed                     bool
	score                      int
	comment                    string
	certified                  bool // the institute issued the certificate
}

// demoTrainees are the customer's people on the partner's training job:
// one certified, one passed and waiting for the quality supervisor to
// issue, one failed.
var demoTrainees = []demoTrainee{
	{"王建国", "技师", "雷达站", true, 92, "操作熟练，故障判读准确。", true},
	{"李晓明", "操作员", "雷达站", true, 85, "开机与自检流程掌握。", false},
	{"张伟", "操作员", "保障连", false, 58, "故障代码判读不熟，建议补训。", false},
}

// seedTraining gives a partner's training job whose work has begun two
// sessions and three trainees, assessed, one with a certificate. It uses
// no random numbers, so the rest of the world stays as it was.
func (sd *seeder) seedTraining(ctx context.Context, r demoRequest, j *cordon.Job, pj plannedJob) error {
	if sd.s.Training == nil || r.category != cordon.CatTraining || pj.partner == inHouse {
		return nil
	}
	var onSite time.Time
	for _, ev := range pj.events {
		if ev.to == cordon.JobOnSite {
			onSite = ev.at
		}
	}
	if onSite.IsZero() {
		return nil // not yet there: nothing to record
	}
	worker := sd.users[pj.partner+".tech"].ID
	day := onSite.In(cordon.ChinaTime)
	day = time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, cordon.ChinaTime)
	last := pj.events[len(pj.events)-1].at
	for _, s := range []struct {
		hours  float64
		topics string
	}{
		{3, "雷达开机、自检与日常维护流程；安全操作规程。"},
		{2.5, "常见故障代码判读与处置；备件更换演练。"},
	} {
		ts := &cordon.TrainingSession{JobID: j.ID, HeldOn: day, Hours: s.hours, Topics: s.topics, RecordedBy: worker}
		if err := sd.s.Training.CreateSession(ctx, ts); err != nil {
			return err
		}
	}
	for _, d := range demoTrainees {
		t := &cordon.Trainee{JobID: j.ID, Name: d.name, Position: d.position, Department: d.department}
		if err := sd.s.Training.CreateTrainee(ctx, t); err != nil {
			return err
		}
		passed, score, at := d.passed, d.score, last
		t.Passed, t.Score, t.Comment, t.AssessedBy, t.AssessedAt = &passed, &score, d.comment, &worker, &at
		if err := sd.s.Training.UpdateTrainee(ctx, t); err != nil {
			return err
		}
		sd.w.Trainees++
		if !d.certified {
			continue
		}
		c := &cordon.TrainingCertificate{TraineeID: t.ID, JobID: j.ID, Year: sd.now.In(cordon.ChinaTime).Year(), IssuedBy: sd.users["quality"].ID}
		if err := sd.s.Training.CreateCertificate(ctx, c); err != nil {
			return err
		}
	}
	return nil
}
