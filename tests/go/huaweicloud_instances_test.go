package contract

import (
	"strings"
	"testing"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/services/gaussdb/v3/model"
)

// Instance management through the Go SDK's strict types: every operation of it the emulator
// serves, each change ending when the clock passes its job's duration (--lifecycle manual).
func TestHuaweiGoSDKInstanceManagement(t *testing.T) {
	e := start(t, false)
	c := huaweiClient(t, e, sk)
	settle := func() { e.control("POST", "/_emulator/clock/advance", map[string]any{"seconds": 5}) }
	details := func() *model.MysqlInstanceInfoDetail {
		t.Helper()
		shown, err := c.ShowGaussMySqlInstanceInfo(&model.ShowGaussMySqlInstanceInfoRequest{InstanceId: instanceID})
		ok(t, err)
		return shown.Instance
	}

	renamed, err := c.UpdateGaussMySqlInstanceName(&model.UpdateGaussMySqlInstanceNameRequest{
		InstanceId: instanceID, Body: &model.MysqlUpdateInstanceNameRequest{Name: "orders-db"}})
	ok(t, err)
	if renamed.JobId == nil || *renamed.JobId == "" {
		t.Fatalf("rename: no job: %+v", renamed)
	}
	settle()
	if got := details().Name; got != "orders-db" {
		t.Fatalf("name after the job: %s", got)
	}

	_, err = c.UpdateGaussMySqlInstancePort(&model.UpdateGaussMySqlInstancePortRequest{
		InstanceId: instanceID, Body: &model.ModifyPortRequest{Port: 3307}})
	ok(t, err)
	if got := *details().Status; got != "MODIFYING DATABASE PORT" {
		t.Fatalf("status during the port change: %s", got)
	}
	settle()
	if got := *details().Port; got != "3307" {
		t.Fatalf("port: %s", got)
	}

	_, err = c.ChangeGaussMySqlInstanceSpecification(&model.ChangeGaussMySqlInstanceSpecificationRequest{
		InstanceId: instanceID,
		Body: &model.MysqlChangeSpecificationRequest{
			ResizeFlavor: &model.MysqlResizeFlavor{SpecCode: "gaussdb.mysql.2xlarge.x86.8"}}})
	ok(t, err)
	settle()
	node := (*details().Nodes)[0]
	if *node.FlavorRef != "gaussdb.mysql.2xlarge.x86.8" || *node.Vcpus != "8" || *node.Ram != "64" {
		t.Fatalf("node after the flavor change: %s %s %s", *node.FlavorRef, *node.Vcpus, *node.Ram)
	}

	period := model.GetTaurusModifyInstanceMonitorRequestBodyPeriodEnum().E_1
	_, err = c.UpdateInstanceMonitor(&model.UpdateInstanceMonitorRequest{
		InstanceId: instanceID, Body: &model.TaurusModifyInstanceMonitorRequestBody{MonitorSwitch: true, Period: &period}})
	ok(t, err)
	settle()
	monitor, err := c.ShowInstanceMonitorExtend(&model.ShowInstanceMonitorExtendRequest{InstanceId: instanceID})
	ok(t, err)
	if !*monitor.MonitorSwitch || *monitor.Period != 1 {
		t.Fatalf("monitoring: %+v", monitor)
	}

	added, err := c.CreateGaussMySqlReadonlyNode(&model.CreateGaussMySqlReadonlyNodeRequest{
		InstanceId: instanceID, Body: &model.MysqlCreateReadonlyNodeRequest{Priorities: []int32{1, 2}}})
	ok(t, err)
	if len(*added.NodeNames) != 2 || len(strings.Split(*added.JobId, ",")) != 2 {
		t.Fatalf("replicas: %+v", added)
	}
	settle()
	nodes := *details().Nodes
	if len(nodes) != 3 || *nodes[2].Type != "slave" || *nodes[2].Status != "ACTIVE" {
		t.Fatalf("nodes: %d", len(nodes))
	}
	_, err = c.DeleteGaussMySqlReadonlyNode(&model.DeleteGaussMySqlReadonlyNodeRequest{
		InstanceId: instanceID, NodeId: nodes[2].Id})
	ok(t, err)
	settle()
	if n := *details().NodeCount; n != 2 {
		t.Fatalf("node count after the deletion: %d", n)
	}

	_, err = c.ResetGaussMySqlPassword(&model.ResetGaussMySqlPasswordRequest{
		InstanceId: instanceID, Body: &model.MysqlResetPasswordRequest{Password: "Root1234#New"}})
	ok(t, err)

	flavors, err := c.ShowGaussMySqlFlavors(&model.ShowGaussMySqlFlavorsRequest{
		DatabaseName: "gaussdb-mysql", AvailabilityZoneMode: "single"})
	ok(t, err)
	if len(*flavors.Flavors) < 6 {
		t.Fatalf("flavors: %d", len(*flavors.Flavors))
	}
	versions, err := c.ShowGaussMySqlEngineVersion(&model.ShowGaussMySqlEngineVersionRequest{DatabaseName: "gaussdb-mysql"})
	ok(t, err)
	if (*versions.Datastores)[0].Name != "8.0" {
		t.Fatalf("versions: %+v", versions)
	}
	templates, err := c.ListGaussMySqlConfigurations(&model.ListGaussMySqlConfigurationsRequest{})
	ok(t, err)
	if (*templates.Configurations)[0].Id != "43570e0de32e40c5a15f831aa5ce4176pr07" {
		t.Fatalf("templates: %+v", templates)
	}
	parameters, err := c.ListInstanceConfigurations(&model.ListInstanceConfigurationsRequest{InstanceId: instanceID})
	ok(t, err)
	if len(*parameters.ParameterValues) == 0 {
		t.Fatal("no parameters")
	}

	deleted, err := c.DeleteGaussMySqlInstance(&model.DeleteGaussMySqlInstanceRequest{InstanceId: instanceID})
	ok(t, err)
	if deleted.JobId == nil {
		t.Fatal("delete: no job")
	}
	settle()
	_, err = c.ShowGaussMySqlInstanceInfo(&model.ShowGaussMySqlInstanceInfoRequest{InstanceId: instanceID})
	if err == nil || !strings.Contains(err.Error(), "DBS.200002") {
		t.Fatalf("the deleted instance: %v", err)
	}
}
