namespace Vrrp.Tests.Configuration;

/// <summary>The reference deployment's keepalived.conf files (shared/reference/reference-deployment.md), for parsing only.</summary>
public static class ReferenceConfigs
{
    /// <summary>host01: MASTER 102, tracking haproxy with weight 20.</summary>
    public const string Host01 = """
        vrrp_script haproxy-check {
            script "killall -0 haproxy"
            interval 2
            weight 20
        }

        vrrp_instance haproxy-vip {
            state MASTER
            priority 102
            interface eth0
            virtual_router_id 47
            advert_int 3

            unicast_src_ip 10.18.16.11
            unicast_peer {
                10.18.18.11
            }

            notify_master "/etc/keepalived/vrrp.sh 54.192.x.x start"

            virtual_ipaddress {
                10.15.85.31
            }

            track_script {
                haproxy-check weight 20
            }
        }
        """;

    /// <summary>host02: BACKUP 101, the same check; its notify_master moves the same EIP to itself.</summary>
    public const string Host02 = """
        vrrp_script haproxy-check {
            script "killall -0 haproxy"
            interval 2
            weight 20
        }

        vrrp_instance haproxy-vip {
            state BACKUP
            priority 101
            interface eth0
            virtual_router_id 47
            advert_int 3

            unicast_src_ip 10.18.18.11
            unicast_peer {
                10.18.16.11
            }

            notify_master "/etc/keepalived/vrrp.sh 54.192.x.x start"

            virtual_ipaddress {
                10.15.85.31
            }

            track_script {
                haproxy-check weight 20
            }
        }
        """;
}
