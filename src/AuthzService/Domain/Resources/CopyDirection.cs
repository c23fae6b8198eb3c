namespace Qbee.Authz.Service.Domain.Resources;

internal enum CopyDirection : byte
{
    None = 0,
    Upload = 1,
    Download = 2,
}
