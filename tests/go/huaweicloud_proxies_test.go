package contract

import (
	"testing"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/services/gaussdb/v3/model"
)

// Database proxies, SQL throttling and quotas through the Go SDK's strict types: every
// operation of it the emulator serves for them, each change ending when the clock passes its
// job's duration (--lifecycle manual), every answer decoded into the SDK's own structs.
func TestHuaweiGoSDKProxiesSqlThrottlingAndQuotas(t *testing.T) {
	e := start(t, false)
	c := huaweiClient(t, e, sk)
	settle := func() { e.control("POST", "/_emulator/clock/advance", map[string]any{"seconds": 5}) }
	i32 := func(n int32) *int32 { return &n }

	groups, err := c.ShowGaussMySqlProxyFlavors(&model.ShowGaussMySqlProxyFlavorsRequest{InstanceId: instanceID})
	ok(t, err)
	first := (*(*groups.ProxyFlavorGroups)[0].ProxyFlavors)[0]
	if first.Vcpus != "2" || first.Ram != "4" || first.DbType != "Proxy" {
		t.Fatalf("first proxy flavor: %+v", first)
	}

	_, err = c.CreateGaussMySqlReadonlyNode(&model.CreateGaussMySqlReadonlyNodeRequest{
		InstanceId: instanceID, Body: &model.MysqlCreateReadonlyNodeRequest{Priorities: []int32{1}}})
	ok(t, err)
	settle()
	shown, err := c.ShowGaussMySqlInstanceInfo(&model.ShowGaussMySqlInstanceInfoRequest{InstanceId: instanceID})
	ok(t, err)
	nodes := *shown.Instance.Nodes
	master, replica := nodes[0].Id, nodes[1].Id

	name := "orders-proxy"
	enabled, err := c.CreateGaussMySqlProxy(&model.CreateGaussMySqlProxyRequest{InstanceId: instanceID,
		Body: &model.OpenMysqlProxyRequestBody{FlavorRef: "gaussdb.proxy.large.x86.2", NodeNum: 2, ProxyName: &name,
			NodesReadWeight: &[]model.NodesWeight{{Id: &replica, Weight: i32(300)}}}})
	ok(t, err)
	if enabled.JobId == nil || *enabled.JobId == "" {
		t.Fatalf("enable: no job: %+v", enabled)
	}
	settle()
	listed, err := c.ShowGaussMySqlProxyList(&model.ShowGaussMySqlProxyListRequest{InstanceId: instanceID, Limit: i32(10)})
	ok(t, err)
	proxy := (*listed.ProxyList)[0]
	if *proxy.Proxy.Status != "ACTIVE" || *proxy.Proxy.Port != 3306 || *proxy.Proxy.NodeNum != 2 ||
		*proxy.MasterNode.Id != master || *(*proxy.ReadonlyNodes)[0].Weight != 300 {
		t.Fatalf("proxy: %+v", proxy)
	}
	pool := *proxy.Proxy.PoolId
	_, err = c.SetGaussMySqlProxyWeight(&model.SetGaussMySqlProxyWeightRequest{InstanceId: instanceID, ProxyId: pool,
		Body: &model.TaurusModifyProxyWeightRequest{MasterWeight: i32(100)}})
	ok(t, err)
	_, err = c.ChangeGaussMySqlProxySpecification(&model.ChangeGaussMySqlProxySpecificationRequest{InstanceId: instanceID,
		ProxyId: pool, Body: &model.TaurusProxyScaleRequest{FlavorRef: "gaussdb.proxy.xlarge.x86.2"}})
	ok(t, err)
	_, err = c.ExpandGaussMySqlProxy(&model.ExpandGaussMySqlProxyRequest{InstanceId: instanceID,
		Body: &model.EnlargeProxyRequest{NodeNum: 1, ProxyId: &pool}})
	ok(t, err)
	settle()
	listed, err = c.ShowGaussMySqlProxyList(&model.ShowGaussMySqlProxyListRequest{InstanceId: instanceID})
	ok(t, err)
	proxy = (*listed.ProxyList)[0]
	if *proxy.Proxy.Vcpus != "4" || *proxy.Proxy.NodeNum != 3 || *proxy.MasterNode.Weight != 100 {
		t.Fatalf("proxy after its changes: %+v", proxy.Proxy)
	}
	_, err = c.DeleteGaussMySqlProxy(&model.DeleteGaussMySqlProxyRequest{InstanceId: instanceID,
		Body: &model.CloseMysqlProxyRequestBody{ProxyIds: &[]string{pool}}})
	ok(t, err)
	settle()
	listed, err = c.ShowGaussMySqlProxyList(&model.ShowGaussMySqlProxyListRequest{InstanceId: instanceID})
	ok(t, err)
	if len(*listed.ProxyList) != 0 {
		t.Fatalf("a disabled proxy is listed: %+v", listed.ProxyList)
	}

	_, err = c.UpdateSqlFilterControl(&model.UpdateSqlFilterControlRequest{InstanceId: instanceID,
		Body: &model.OperateSqlFilterControlReq{SwitchStatus: "ON"}})
	ok(t, err)
	_, err = c.SetSqlFilterRule(&model.SetSqlFilterRuleRequest{InstanceId: instanceID, Body: &model.OperateSqlFilterRuleReq{
		SqlFilterRules: []model.NodeSqlFilterRuleInfo{{NodeId: master, Rules: []model.NodeSqlFilterRule{{SqlType: "UPDATE",
			Patterns: []model.NodeSqlFilterRulePattern{{Pattern: "update~orders~set", MaxConcurrency: 2, ExpireAt: -1}}}}}}}})
	ok(t, err)
	settle()
	switched, err := c.ShowSqlFilterControl(&model.ShowSqlFilterControlRequest{InstanceId: instanceID})
	ok(t, err)
	rules, err := c.ShowSqlFilterRule(&model.ShowSqlFilterRuleRequest{InstanceId: instanceID, NodeId: master})
	ok(t, err)
	pattern := (*rules.SqlFilterRules)[0].Patterns[0]
	if *switched.SwitchStatus != "ON" || pattern.Pattern != "update~orders~set" || pattern.MaxConcurrency != 2 ||
		*pattern.ExpireAt != 9223372036854775807 {
		t.Fatalf("SQL throttling: %s %+v", *switched.SwitchStatus, pattern)
	}
	_, err = c.DeleteSqlFilterRule(&model.DeleteSqlFilterRuleRequest{InstanceId: instanceID, Body: &model.DeleteSqlFilterRuleReq{
		SqlFilterRules: []model.DeleteNodeSqlFilterRuleInfo{{NodeId: master, Rules: []model.DeleteNodeSqlFilterRule{
			{SqlType: "UPDATE", Patterns: []string{"update~orders~set"}}}}}}})
	ok(t, err)
	settle()
	rules, err = c.ShowSqlFilterRule(&model.ShowSqlFilterRuleRequest{InstanceId: instanceID, NodeId: master})
	ok(t, err)
	if len(*rules.SqlFilterRules) != 0 {
		t.Fatalf("a deleted rule is listed: %+v", rules.SqlFilterRules)
	}

	_, err = c.SetGaussMySqlQuotas(&model.SetGaussMySqlQuotasRequest{Body: &model.SetQuotasRequestBody{
		QuotaList: []model.SetQuota{{EnterpriseProjectId: "0", InstanceQuota: i32(3), VcpusQuota: i32(64), RamQuota: i32(-1)}}}})
	ok(t, err)
	quotas, err := c.ShowGaussMySqlQuotas(&model.ShowGaussMySqlQuotasRequest{})
	ok(t, err)
	q := (*quotas.QuotaList)[0]
	if q.EnterpriseProjectName != "default" || q.InstanceQuota != 3 || q.AvailabilityInstanceQuota != 2 ||
		q.AvailabilityRamQuota != -1 {
		t.Fatalf("quota: %+v", q)
	}
	instance := model.GetShowGaussMySqlProjectQuotasRequestTypeEnum().INSTANCE
	projects, err := c.ShowGaussMySqlProjectQuotas(&model.ShowGaussMySqlProjectQuotasRequest{Type: &instance})
	ok(t, err)
	resource := projects.Quotas.Resources[0]
	if resource.Used != 1 || resource.Quota != 1000 {
		t.Fatalf("project quota: %+v", resource)
	}
}
